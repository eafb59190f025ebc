import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Sits behind `NIOSSLServerHandler` and holds the connection back from the handlers after it
/// until the TLS handshake is done: it swallows `channelActive`, closes the connection if the
/// handshake takes longer than the CONNECT timeout, and once the handshake completed calls
/// `onHandshake` (which installs the handlers that speak MQTT, with the client's identity), then
/// passes `channelActive` on to them and leaves the pipeline.
///
/// Handlers added after it therefore see an active channel whose peer is known, whatever the
/// listener kind.
final class TLSHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let timeout: TimeAmount
    private let logger: Logger
    private let onHandshake: (ChannelHandlerContext, NIOSSLCertificate?) throws -> Void
    private var deadline: Scheduled<Void>?
    private var completed = false

    /// - Parameter onHandshake: runs on the event loop with this handler's context and the
    ///   client's certificate (nil if it sent none); it adds handlers after this one.
    init(
        timeout: TimeAmount,
        logger: Logger,
        onHandshake: @escaping (ChannelHandlerContext, NIOSSLCertificate?) throws -> Void
    ) {
        self.timeout = timeout
        self.logger = logger
        self.onHandshake = onHandshake
    }

    func channelActive(context: ChannelHandlerContext) {
        // Not passed on: the handlers after this one become active when the handshake is done.
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [logger] in
            logger.info("closing connection: TLS handshake not done within limits.connect-timeout")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, !completed else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        completed = true
        deadline?.cancel()
        do {
            let certificate = try context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self)
                .peerCertificate
            try onHandshake(context, certificate)
        } catch {
            logger.error("closing connection: cannot set up the connection after the TLS handshake: \(error)")
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard completed else {
            // A failed handshake (no client certificate, a certificate from another CA, not TLS at
            // all): NIOSSL closes the connection; the handlers after this one never knew of it.
            logger.info("TLS handshake failed", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}
