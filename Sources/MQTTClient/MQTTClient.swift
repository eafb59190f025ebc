import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// An MQTT 3.1.1 / 5.0 client on SwiftNIO.
///
/// ```swift
/// let client = MQTTClient(configuration: .init(host: "127.0.0.1", clientID: "sensor-1"))
/// try await client.connect()
/// _ = try await client.subscribe([TopicSubscription(topicFilter: "commands/#")])
/// let result = try await client.publish(topic: "telemetry", payload: ByteBuffer(string: "42"), qos: .atLeastOnce)
/// for try await message in client.messages { ... }
/// try await client.disconnect()
/// ```
///
/// - Pipelining: any number of publishes may be in flight at once, from many tasks or from the
///   non-suspending ``publish(topic:payload:qos:retain:properties:onCompletion:)``. Beyond the
///   in-flight window (`Configuration.maximumInFlight`, capped by the server's Receive Maximum)
///   and while the socket is congested, publishes wait in a queue in call order; packets written
///   by many callers leave in one flush per event-loop tick.
/// - Reconnection: after the connection ends, call ``connect()`` again on the same client. With
///   `cleanStart == false` and a session present, unacknowledged QoS 1/2 PUBLISHes and PUBRELs
///   are resent first, PUBLISHes with DUP set (MQTT-4.4.0-1).
/// - Calls that wait for an answer fail with ``MQTTClientError`` `.connectionClosed` (or the
///   reason the connection ended) when the connection ends first. A QoS 1/2 message whose call
///   failed that way stays in the session and is still resent on resumption.
/// - Cancellation: a request handed to the client is not withdrawn when the calling task is
///   cancelled (a PUBLISH may already be on the wire); the call completes or fails with its
///   connection. Put a deadline on the connection instead (keep-alive, `close()`).
public final class MQTTClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration
    /// The event loops connections run on.
    public let eventLoopGroup: any EventLoopGroup
    private let core: MQTTClientCore

    /// Creates a client; it does not connect until ``connect()``.
    public init(
        configuration: Configuration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tributary.mqtt-client")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        var logger = logger
        logger[metadataKey: "mqtt.client-id"] = "\(configuration.clientID)"
        self.core = MQTTClientCore(
            options: .init(
                connect: configuration.connectPacket,
                maximumInFlight: max(1, configuration.maximumInFlight),
                useTopicAliases: configuration.useTopicAliases,
                pingTimeout: TimeAmount(configuration.pingTimeout)
            ),
            logger: logger
        )
    }

    // MARK: - State

    /// Whether a connection is up (CONNACK accepted and not yet closing).
    public var isConnected: Bool {
        self.core.state.withLockedValue { $0.machine.isConnected }
    }

    /// The DISCONNECT the server sent to end the latest connection (MQTT 5.0), until the next
    /// ``connect()``.
    public var disconnectReason: DisconnectPacket? {
        self.core.state.withLockedValue { $0.machine.serverDisconnect }
    }

    /// The client identifier the server assigned in CONNACK (MQTT 5.0, empty `clientID`).
    public var assignedClientID: String? {
        self.core.state.withLockedValue { $0.machine.assignedClientID }
    }

    /// PINGRESPs received so far (diagnostics, tests).
    var pingResponsesReceived: Int {
        self.core.state.withLockedValue { $0.machine.pingResponsesReceived }
    }

    /// Outgoing PUBLISHes queued or awaiting acknowledgement (diagnostics, tests).
    var inFlightAndQueued: Int {
        self.core.state.withLockedValue { $0.machine.inFlightPublishes + $0.machine.queuedPublishes }
    }

    /// Outgoing topic aliases set up on the current connection (diagnostics, tests).
    var outgoingTopicAliasCount: Int {
        self.core.state.withLockedValue { $0.machine.outgoingTopicAliasCount }
    }

    /// The messages of the latest connection (see ``Messages``). Take it after ``connect()``
    /// returned; each connection has its own sequence, which ends when the connection does.
    /// Before the first connection the sequence is empty.
    public var messages: Messages {
        Messages(stream: self.core.state.withLockedValue { $0.messages })
    }

    // MARK: - Connecting

    /// Opens the connection, sends CONNECT and waits for CONNACK.
    ///
    /// - Returns: the server's CONNACK. Its properties are honoured: Receive Maximum caps the
    ///   in-flight window, Server Keep Alive replaces ours, Topic Alias Maximum bounds outgoing
    ///   aliases, Maximum Packet Size, Maximum QoS and Retain Available are checked on publish,
    ///   an Assigned Client Identifier is reused on reconnection.
    /// When the previous connection is still closing (a server DISCONNECT or a network failure
    /// was seen, the channel not yet closed), `connect()` first waits for it to close.
    ///
    /// - Throws: ``MQTTClientError`` `.connectionRefused` with the reason code (3.1.1 return
    ///   codes are mapped to 5.0 codes), `.connectTimeout`, `.connectFailed`,
    ///   `.alreadyConnected`.
    @discardableResult
    public func connect() async throws -> ConnAckPacket {
        let sslContext = try self.configuration.tls.map { try NIOSSLContext(configuration: $0) }
        if self.core.state.withLockedValue({ $0.machine.isClosing }) {
            await self.close()
        }
        return try await withCheckedThrowingContinuation { continuation in
            let action = self.core.state.withLockedValue {
                $0.machine.connect(waiter: .connect(continuation))
            }
            switch action {
            case .fail(let waiter, let error):
                waiter.resume(with: .failure(error))
            case .startConnecting(let generation):
                self.startConnecting(generation: generation, sslContext: sslContext)
            }
        }
    }

    private func startConnecting(generation: UInt64, sslContext: NIOSSLContext?) {
        let configuration = self.configuration
        let core = self.core
        let eventLoop = self.eventLoopGroup.next()
        let connectTimeout = TimeAmount(configuration.connectTimeout)
        let timeout = eventLoop.scheduleTask(in: connectTimeout) {
            core.perform { $0.connectTimedOut(generation: generation) }
        }
        let serverHostname =
            configuration.tlsServerHostname
            ?? ((try? SocketAddress(ipAddress: configuration.host, port: 0)) == nil ? configuration.host : nil)
        let maximumPacketSize =
            configuration.maximumPacketSize.map { Int($0) }
            ?? MQTTPacketDecoder.protocolMaximumPacketSize
        core.logger.debug(
            "connecting",
            metadata: ["host": "\(configuration.host)", "port": "\(configuration.port)"]
        )
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: serverHostname)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        MQTTClientChannelHandler(
                            core: core,
                            generation: generation,
                            maximumPacketSize: maximumPacketSize,
                            acknowledgementMode: configuration.acknowledgementMode,
                            messageBufferSize: configuration.messageBufferSize,
                            connectTimeout: timeout
                        )
                    )
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .whenFailure { error in
                timeout.cancel()
                core.perform { $0.connectFailed(generation: generation, error: error) }
            }
    }

    // MARK: - Publishing

    /// Publishes a message and waits until the server has it: QoS 0 returns once the PUBLISH is
    /// queued for writing on the connection, QoS 1 when PUBACK arrived, QoS 2 when PUBCOMP
    /// arrived (or a PUBREC with a failure code).
    ///
    /// Failure reason codes of the server (v5, e.g. 0x87, 0x97, 0x10 No matching subscribers is
    /// a success code) are returned in ``PublishResult``, not thrown.
    ///
    /// - Throws: ``MQTTClientError``: `.notConnected`; `.connectionClosed` (or the reason the
    ///   connection ended) when it ended before the acknowledgement; `.invalidPacket`,
    ///   `.packetTooLarge`, `.qosNotSupported`, `.retainNotSupported` when nothing was sent.
    @discardableResult
    public func publish(
        topic: String,
        payload: ByteBuffer,
        qos: QoS = .atMostOnce,
        retain: Bool = false,
        properties: MQTTProperties = []
    ) async throws -> PublishResult {
        let packet = PublishPacket(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
        return try await withCheckedThrowingContinuation { continuation in
            self.core.perform { $0.publish(packet, waiter: .publish(continuation)) }
        }
    }

    /// Queues a message without suspending and reports the outcome to `onCompletion`, exactly
    /// once. Messages leave in call order, so a loop of these calls pipelines an ordered stream
    /// (the load generator's way to keep thousands of messages in flight).
    ///
    /// `onCompletion` runs on the connection's event loop, or on the calling thread when the
    /// outcome is known at once (QoS 0, or a failure before sending): keep it short and do not
    /// block. The result is the same as that of the `async` variant.
    public func publish(
        topic: String,
        payload: ByteBuffer,
        qos: QoS = .atMostOnce,
        retain: Bool = false,
        properties: MQTTProperties = [],
        onCompletion: @escaping @Sendable (Result<PublishResult, MQTTClientError>) -> Void
    ) {
        let packet = PublishPacket(topic: topic, payload: payload, qos: qos, retain: retain, properties: properties)
        self.core.perform { $0.publish(packet, waiter: .publishCallback(onCompletion)) }
    }

    // MARK: - Subscriptions

    /// Sends SUBSCRIBE and waits for SUBACK, whose reason codes (one per filter, in order) say
    /// which QoS was granted or why a filter was refused (≥ 0x80).
    @discardableResult
    public func subscribe(
        _ subscriptions: [TopicSubscription],
        properties: MQTTProperties = []
    ) async throws -> SubAckPacket {
        try await withCheckedThrowingContinuation { continuation in
            self.core.perform {
                $0.subscribe(subscriptions, properties: properties, waiter: .subscribe(continuation))
            }
        }
    }

    /// Sends UNSUBSCRIBE and waits for UNSUBACK (reason codes per filter in 5.0, none in 3.1.1).
    @discardableResult
    public func unsubscribe(
        _ topicFilters: [String],
        properties: MQTTProperties = []
    ) async throws -> UnsubAckPacket {
        try await withCheckedThrowingContinuation { continuation in
            self.core.perform {
                $0.unsubscribe(topicFilters, properties: properties, waiter: .unsubscribe(continuation))
            }
        }
    }

    // MARK: - Acknowledging

    /// Acknowledges a received QoS 1/2 message in ``AcknowledgementMode/manual`` mode: PUBACK,
    /// or PUBREC for QoS 2 (PUBCOMP follows automatically on PUBREL).
    ///
    /// Does nothing for QoS 0, for a message already acknowledged, or when the connection the
    /// message arrived on is gone (the server redelivers it with DUP on the resumed session; it is
    /// then acknowledged through its own copy, which has the same packet identifier).
    public func acknowledge(_ message: PublishPacket) {
        guard message.qos != .atMostOnce, let packetID = message.packetID else { return }
        self.core.perform { machine in
            machine.acknowledge(packetID: packetID, generation: machine.generation)
        }
    }

    // MARK: - Closing

    /// Sends DISCONNECT and closes the connection; returns when it is closed. The server
    /// discards the Will unless `reasonCode` is 0x04 Disconnect with Will Message (5.0).
    /// `properties` (5.0) may carry a Session Expiry Interval, a Reason String or User
    /// Properties. Without a connection it returns at once; `messages` then ends normally.
    ///
    /// - Throws: ``MQTTClientError`` `.invalidPacket` (and sends nothing) when a 3.1.1 client
    ///   passes a reason code or properties, which 3.1.1 cannot carry.
    public func disconnect(
        reasonCode: MQTTReasonCode = .normalDisconnection,
        properties: MQTTProperties = []
    ) async throws {
        if self.configuration.protocolVersion != .v5 && (reasonCode != .normalDisconnection || !properties.isEmpty) {
            throw MQTTClientError(
                .invalidPacket,
                detail: "MQTT \(self.configuration.protocolVersion) DISCONNECT has no reason code or properties"
            )
        }
        let packet = DisconnectPacket(reasonCode: reasonCode, properties: properties)
        await withCheckedContinuation { continuation in
            self.core.perform { $0.disconnect(packet, waiter: .close(continuation)) }
        }
    }

    /// Drops the network connection without DISCONNECT: an abnormal end, so the server publishes
    /// the Will. For tests and network-failure simulations. Returns when the connection is closed.
    public func close() async {
        await withCheckedContinuation { continuation in
            self.core.perform { $0.close(waiter: .close(continuation)) }
        }
    }
}
