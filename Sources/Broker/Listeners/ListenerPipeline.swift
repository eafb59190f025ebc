import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket

/// Builds the channel pipeline of one listener kind, ending in the MQTT connection handler:
///
/// - `tcp`: MQTT handler.
/// - `tls`: NIOSSL → `TLSHandshakeHandler` → (after the handshake) MQTT handler.
/// - `ws`: HTTP/1.1 server with the WebSocket upgrader + `WebSocketHTTPResponder` → (after the
///   upgrade) WebSocket frame codec → `WebSocketMQTTFrameHandler` → MQTT handler.
/// - `wss`: NIOSSL, then as `ws`.
///
/// The MQTT handler always receives `channelActive` after it was added, with the peer's
/// `TransportIdentity`, and only ever sees MQTT bytes.
struct ListenerPipeline: Sendable {
    /// Makes (and registers) the MQTT handler of a new connection; runs on its event loop.
    typealias MakeConnectionHandler = @Sendable (any Channel, TransportIdentity) -> MQTTConnectionHandler

    let listener: BrokerConfiguration.Listener
    /// The listener's TLS context (`tls`, `wss`), made once at start so bad files fail there.
    let sslContext: NIOSSLContext?
    /// How long a connection may spend in the TLS handshake or in HTTP before the upgrade.
    let setupTimeout: TimeAmount
    /// Largest WebSocket frame accepted: an MQTT packet of the maximum size must fit in one.
    let maximumFrameSize: Int
    let logger: Logger
    let makeConnectionHandler: MakeConnectionHandler

    /// - Throws: `ListenerError` when the listener's TLS files or path are unusable.
    init(
        listener: BrokerConfiguration.Listener,
        configuration: BrokerConfiguration,
        logger: Logger,
        makeConnectionHandler: @escaping MakeConnectionHandler
    ) throws(ListenerError) {
        self.listener = listener
        self.setupTimeout = .seconds(Int64(configuration.connectTimeoutSeconds))
        // Room for the largest packet plus a frame header, and never below NIO's default.
        self.maximumFrameSize = min(Int(UInt32.max), max(1 << 14, configuration.maximumPacketSize + 16))
        self.logger = logger
        self.makeConnectionHandler = makeConnectionHandler
        switch listener.kind {
        case .tcp:
            self.sslContext = nil
        case .tls(let settings):
            self.sslContext = try settings.makeServerContext(listener: listener.label)
        case .webSocket(let path):
            try Self.check(path: path, listener: listener)
            self.sslContext = nil
        case .webSocketTLS(let settings, let path):
            try Self.check(path: path, listener: listener)
            self.sslContext = try settings.makeServerContext(listener: listener.label)
        }
    }

    private static func check(path: String, listener: BrokerConfiguration.Listener) throws(ListenerError) {
        guard path.hasPrefix("/") else {
            throw ListenerError(.invalidPath, listener: listener.label, "path must start with / (got \"\(path)\")")
        }
    }

    /// The `childChannelInitializer` body.
    func initialize(_ channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            let pipeline = channel.pipeline.syncOperations
            switch listener.kind {
            case .tcp:
                try pipeline.addHandler(makeConnectionHandler(channel, TransportIdentity(.tcp)))
            case .tls(let settings):
                try pipeline.addHandler(NIOSSLServerHandler(context: sslContext!))
                try pipeline.addHandler(
                    TLSHandshakeHandler(timeout: setupTimeout, logger: logger) { context, certificate in
                        let identity = TransportIdentity(
                            .tls,
                            peerCertificate: certificate,
                            verified: settings.verifiesClientCertificates,
                            commonNameIsUsername: settings.useCommonNameAsUsername
                        )
                        // This handler is the last one: the MQTT handler goes right after it.
                        try context.pipeline.syncOperations.addHandler(makeConnectionHandler(context.channel, identity))
                    }
                )
            case .webSocket(let path):
                try addWebSocket(to: channel, path: path, settings: nil)
            case .webSocketTLS(let settings, let path):
                try pipeline.addHandler(NIOSSLServerHandler(context: sslContext!))
                try addWebSocket(to: channel, path: path, settings: settings)
            }
        }
    }

    private func addWebSocket(
        to channel: any Channel,
        path: String,
        settings: BrokerConfiguration.TLSSettings?
    ) throws {
        let policy = WebSocketUpgradePolicy(path: path)
        let logger = self.logger
        let makeConnectionHandler = self.makeConnectionHandler
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maximumFrameSize,
            automaticErrorHandling: true,
            shouldUpgrade: { channel, head in
                let decision = policy.decide(
                    uri: head.uri,
                    isWebSocketUpgrade: true,
                    offeredSubprotocols: head.headers["sec-websocket-protocol"]
                )
                guard case .upgrade(let subprotocol) = decision else {
                    // The request goes on to WebSocketHTTPResponder, which answers 404 or 400.
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("sec-websocket-protocol", subprotocol)]))
            },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    var identity = TransportIdentity(.webSocket)
                    if let settings {
                        // The TLS handshake finished before the HTTP request could arrive.
                        let certificate = try pipeline.handler(type: NIOSSLServerHandler.self).peerCertificate
                        identity = TransportIdentity(
                            .webSocketTLS,
                            peerCertificate: certificate,
                            verified: settings.verifiesClientCertificates,
                            commonNameIsUsername: settings.useCommonNameAsUsername
                        )
                    }
                    let frames = WebSocketMQTTFrameHandler(logger: logger)
                    try pipeline.addHandler(frames)
                    try pipeline.addHandler(makeConnectionHandler(channel, identity))
                    // The channel has long been active; the MQTT handler learns it now.
                    try pipeline.context(handler: frames).fireChannelActive()
                }
            }
        )
        let responder = WebSocketHTTPResponder(policy: policy, timeout: setupTimeout, logger: logger)
        let upgrade: NIOHTTPServerUpgradeConfiguration = (
            upgraders: [upgrader],
            completionHandler: { context in
                // Upgrading: what follows is WebSocket, not HTTP requests to answer.
                let pipeline = context.pipeline.syncOperations
                if let responder = try? pipeline.handler(type: WebSocketHTTPResponder.self) {
                    pipeline.removeHandler(responder, promise: nil)
                }
            }
        )
        let pipeline = channel.pipeline.syncOperations
        try pipeline.configureHTTPServerPipeline(withServerUpgrade: upgrade)
        try pipeline.addHandler(responder)
    }
}
