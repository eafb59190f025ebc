import Logging
import NIOCore
import NIOWebSocket

/// Turns WebSocket frames into the MQTT byte stream and back, so the MQTT handler after it
/// never knows it is on WebSocket.
///
/// MQTT 5.0 §6: MQTT data travels in binary frames; a frame may hold several MQTT packets and a
/// packet may span frames, so frame payloads are passed on as a plain byte stream and the MQTT
/// decoder does the framing [MQTT-6.0.0-2]. A data frame other than binary closes the connection
/// [MQTT-6.0.0-1]. Each outgoing buffer becomes one binary frame.
final class WebSocketMQTTFrameHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private enum Message {
        /// Between messages.
        case idle
        /// Inside a fragmented binary message: continuation frames carry MQTT bytes.
        case binary
    }

    private var message = Message.idle
    private var closeSent = false
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary:
            guard case .idle = message else {
                return fail(context: context, .protocolError, "a new data frame inside a fragmented message")
            }
            message = frame.fin ? .idle : .binary
            forward(frame, context: context)
        case .continuation:
            guard case .binary = message else {
                return fail(context: context, .protocolError, "a continuation frame outside a message")
            }
            if frame.fin { message = .idle }
            forward(frame, context: context)
        case .text:
            fail(context: context, .unacceptableData, "a text frame (MQTT-6.0.0-1: binary frames only)")
        case .ping:
            guard !closeSent else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            // RFC 6455 §5.5.1: answer a close with a close (echoing the status code), then end.
            if !closeSent {
                closeSent = true
                var data = frame.unmaskedData
                let code = data.readWebSocketErrorCode() ?? .normalClosure
                var payload = context.channel.allocator.buffer(capacity: 2)
                payload.write(webSocketErrorCode: code)
                let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
                context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        default:
            fail(context: context, .protocolError, "an unknown opcode")
        }
    }

    private func forward(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        let bytes = frame.unmaskedData
        guard bytes.readableBytes > 0 else { return }
        context.fireChannelRead(wrapInboundOut(bytes))
    }

    private func fail(context: ChannelHandlerContext, _ code: WebSocketErrorCode, _ reason: String) {
        logger.info("closing WebSocket connection", metadata: ["reason": "\(reason)"])
        sendClose(context: context, code: code, promise: nil)
    }

    /// Sends a close frame once, then closes the connection.
    private func sendClose(context: ChannelHandlerContext, code: WebSocketErrorCode, promise: EventLoopPromise<Void>?) {
        guard !closeSent, context.channel.isActive else {
            context.close(promise: promise)
            return
        }
        closeSent = true
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: code)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in
            context.close(promise: promise)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: unwrapOutboundIn(data))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // The MQTT handler closes the connection after a DISCONNECT or on an error: say goodbye
        // the WebSocket way first.
        guard case .all = mode else {
            context.close(mode: mode, promise: promise)
            return
        }
        sendClose(context: context, code: .normalClosure, promise: promise)
    }
}
