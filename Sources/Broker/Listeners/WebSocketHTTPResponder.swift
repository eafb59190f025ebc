import Logging
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Answers the HTTP requests of a `ws`/`wss` listener that are not upgraded to WebSocket
/// (another path: 404; no MQTT subprotocol: 400; no upgrade at all: 426) and closes the
/// connection. It leaves the pipeline when an upgrade happens.
///
/// It also bounds how long a connection may stay in HTTP: a client that has not upgraded within
/// the CONNECT timeout is closed, as one that sends no CONNECT would be.
final class WebSocketHTTPResponder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let policy: WebSocketUpgradePolicy
    private let timeout: TimeAmount
    private let logger: Logger
    private var deadline: Scheduled<Void>?
    private var status: HTTPResponseStatus?
    private var reason = ""

    init(policy: WebSocketUpgradePolicy, timeout: TimeAmount, logger: Logger) {
        self.policy = policy
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startDeadline(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        startDeadline(context: context)
        context.fireChannelActive()
    }

    private func startDeadline(context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [logger] in
            logger.info("closing connection: no WebSocket upgrade within limits.connect-timeout")
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let decision = policy.decide(
                uri: head.uri,
                isWebSocketUpgrade: head.headers[canonicalForm: "upgrade"].contains {
                    $0.lowercased() == "websocket"
                },
                offeredSubprotocols: head.headers["sec-websocket-protocol"]
            )
            switch decision {
            case .notFound:
                status = .notFound
                reason = "no MQTT WebSocket endpoint at this path\n"
            case .noMQTTSubprotocol:
                status = .badRequest
                reason = "MQTT over WebSocket needs the mqtt subprotocol\n"
            case .upgradeRequired:
                status = .upgradeRequired
                reason = "this endpoint speaks MQTT over WebSocket\n"
            case .upgrade:
                // The upgrader accepted the path and subprotocol but refused the request anyway
                // (a missing Sec-WebSocket-Key, a version other than 13).
                status = .badRequest
                reason = "not a valid WebSocket upgrade request\n"
            }
        case .body:
            break
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        guard let status else { return }
        self.status = nil
        logger.debug("refused HTTP request", metadata: ["status": "\(status.code)"])
        var body = context.channel.allocator.buffer(capacity: reason.utf8.count)
        body.writeString(reason)
        var head = HTTPResponseHead(version: .http1_1, status: status)
        head.headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        head.headers.add(name: "content-length", value: "\(body.readableBytes)")
        head.headers.add(name: "connection", value: "close")
        if status == .upgradeRequired {
            head.headers.add(name: "upgrade", value: "websocket")
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // The upgrader reports a refused upgrade as an error before handing the request on;
        // the request itself gets its answer in `channelRead`.
        if error is NIOWebSocketUpgradeError { return }
        logger.debug("closing connection: HTTP error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
