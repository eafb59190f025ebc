import Atomics
import Bridge
import BrokerCore
import DequeModule
import Logging
import MQTTCodec
import NIOCore
import Store

/// One client connection: decodes packets, applies the MQTT rules, and performs every write.
///
/// Lives on its channel's event loop and is never touched from elsewhere; other threads reach it
/// only through `SessionAttachment`, which hops onto this event loop. Encoded packets collect in
/// one output buffer that is flushed once per read batch or drain, so a burst of PUBACKs or
/// PUBLISHes costs one system call.
final class MQTTConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case awaitingConnect
        case connected
        /// A DISCONNECT was sent or received, or a protocol error was found: input is ignored.
        case closing
        case closed
    }

    /// Per-connection state that exists once CONNECT was accepted.
    struct Connected {
        var negotiated: NegotiatedConnection
        var session: Session
        var inboundAliases: InboundTopicAliases
        var outboundAliases: OutboundTopicAliases
        /// The `acl:` rules resolved for this client (Auth/MQTTConnectionHandler+Access.swift).
        var access: ClientAccess
        /// Who this client is, for the Kafka bridge's templates and headers.
        var publisher: BridgePublisher
    }

    let broker: BrokerContext
    /// What the transport established about the peer (a verified client certificate's CN, ...);
    /// see `TransportIdentity.authenticatedUsername`.
    let transport: TransportIdentity
    var phase = Phase.awaitingConnect
    var connected: Connected?
    var logger: Logger

    var context: ChannelHandlerContext?
    var decoder: NIOSingleStepByteToMessageProcessor<MQTTPacketDecoder>
    /// Encoded packets waiting for the next flush.
    var output: ByteBuffer
    var outputPacketCount = 0
    /// The store write the packets in `output` depend on (a PUBACK for a message now stored, ...):
    /// `output` is held until it committed. See `MQTTConnectionHandler+Durability.swift`.
    var requiredTicket = StoreTicket.none
    /// Acknowledgements waiting for Kafka, and those queued behind them to keep their order.
    /// See `MQTTConnectionHandler+Bridge.swift`.
    var heldAcknowledgements = Deque<HeldAcknowledgement>()
    /// The sequence number of `heldAcknowledgements.first`.
    var firstHeldSequence = 0
    /// A `whenCommitted` callback is on its way.
    var awaitingCommit = false

    /// The Will to publish if the connection ends without a normal DISCONNECT (MQTT-3.1.2-8).
    var will: ConnectPacket.Will?
    var lastPacketReceivedAt = NIODeadline.now()
    var keepAliveTimer: Scheduled<Void>?
    var connectTimer: Scheduled<Void>?
    /// This connection came above `limits.max-connection-rate`: its CONNECT gets 0x9F.
    var overConnectionRate = false
    /// `limits.max-publish-rate` for this client, once connected.
    var publishBucket: TokenBucket?
    /// Whether the client is over its publish rate now (logged once per episode).
    var publishThrottled = false
    /// Reading paused because a Kafka spool is nearly full (`waitForSpoolRoom`).
    var pausedForSpool = false
    /// The topic whose spool was nearly full: reading resumes once that spool has room.
    var spoolPauseTopic: String?
    /// Packets read before the pause took effect, handled when it ends.
    var heldForSpool = Deque<MQTTPacket>()
    /// Packets that arrived after CONNECT while its password is being verified; nil otherwise.
    var heldPackets: [MQTTPacket]?

    /// Scratch buffers reused for every message, so routing and draining do not allocate.
    var matches: [Router.Match] = []
    var sendable: [OutgoingPublish] = []

    /// The connection came through an `ingest-only` listener: Kafka only, no local routing.
    let ingestOnly: Bool

    init(
        broker: BrokerContext,
        allocator: ByteBufferAllocator,
        transport: TransportIdentity = TransportIdentity(.tcp),
        ingestOnly: Bool = false
    ) {
        self.broker = broker
        self.transport = transport
        self.ingestOnly = ingestOnly
        self.logger = broker.logger
        self.decoder = NIOSingleStepByteToMessageProcessor(
            MQTTPacketDecoder(role: .server, maximumPacketSize: broker.configuration.maximumPacketSize),
            maximumBufferSize: broker.configuration.maximumPacketSize + 8
        )
        self.output = allocator.buffer(capacity: 0)
    }

    var connectionID: ObjectIdentifier { ObjectIdentifier(self) }

    var protocolVersion: MQTTProtocolVersion { connected?.negotiated.protocolVersion ?? .v3_1_1 }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let remote = context.remoteAddress {
            logger[metadataKey: "remote"] = "\(remote)"
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let statistics = broker.statistics
        statistics.connectionsTotal.add(1)
        let current = statistics.connectionsCurrent.loadThenWrappingIncrement(ordering: .relaxed) + 1
        if current > broker.configuration.maximumConnections {
            statistics.connectionsRejected.add(1)
            logger.warning(
                "connection refused: limits.max-connections reached",
                metadata: ["connections": "\(current)"]
            )
            phase = .closing
            context.close(promise: nil)
            return
        }
        if let limiter = broker.connectionRateLimiter, !limiter.admit(context.remoteAddress) {
            // Refused when its CONNECT arrives, so the client learns why (CONNACK 0x9F / 3).
            overConnectionRate = true
        }
        let timeout = TimeAmount.seconds(Int64(broker.configuration.connectTimeoutSeconds))
        connectTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard phase == .awaitingConnect else { return }
            broker.statistics.limitConnectTimeout.add(1)
            logger.info("closing connection: no CONNECT within limits.connect-timeout")
            closeConnection()
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        broker.statistics.connectionsCurrent.subtract(1)
        connectTimer?.cancel()
        keepAliveTimer?.cancel()
        let previousPhase = phase
        phase = .closed
        if previousPhase == .connected || previousPhase == .closing, let connected {
            connectionEnded(connected)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        broker.statistics.bytesReceived.add(buffer.readableBytes)
        guard phase == .awaitingConnect || phase == .connected else { return }
        lastPacketReceivedAt = .now()
        do {
            try decoder.process(buffer: buffer) { packet in
                guard phase == .awaitingConnect || phase == .connected else { return }
                // Packets already read when a spool filled wait, in order, for it to have room.
                guard !pausedForSpool else {
                    heldForSpool.append(packet)
                    return
                }
                handle(packet)
            }
        } catch let error as MQTTCodecError {
            decodingFailed(error)
        } catch {
            // NIO's buffer limit: the peer sent more than a packet's worth without a packet.
            decodingFailed(MQTTCodecError(reasonCode: .packetTooLarge, detail: "\(error)"))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushOutput()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            drainSession()
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        closeConnection()
    }

    // MARK: Dispatch

    func handle(_ packet: MQTTPacket) {
        switch phase {
        case .awaitingConnect:
            if holdDuringAuthentication(packet) { return }
            guard case .connect(let connect) = packet else {
                // MQTT-3.1.0-1: the first packet must be CONNECT (the decoder enforces it too).
                closeConnection()
                return
            }
            handleConnect(connect)
        case .connected:
            handleConnected(packet)
        case .closing, .closed:
            return
        }
    }

    private func handleConnected(_ packet: MQTTPacket) {
        switch packet {
        case .connect:
            // MQTT-3.1.0-2: a second CONNECT is a Protocol Error.
            protocolViolation(.protocolError, "second CONNECT (MQTT-3.1.0-2)")
        case .publish(let publish):
            handlePublish(publish)
        case .puback(let ack):
            handlePuback(ack)
        case .pubrec(let ack):
            handlePubrec(ack)
        case .pubrel(let ack):
            handlePubrel(ack)
        case .pubcomp(let ack):
            handlePubcomp(ack)
        case .subscribe(let subscribe):
            handleSubscribe(subscribe)
        case .unsubscribe(let unsubscribe):
            handleUnsubscribe(unsubscribe)
        case .pingreq:
            write(.pingresp)
        case .disconnect(let disconnect):
            handleDisconnect(disconnect)
        case .auth:
            // No authentication method was agreed in CONNECT, so AUTH is not allowed (MQTT-4.12.0-1).
            protocolViolation(.protocolError, "AUTH without an authentication method in CONNECT")
        case .connack, .suback, .unsuback, .pingresp:
            // Server-to-client packets; the decoder refuses them, this is a second line.
            protocolViolation(.protocolError, "\(packet.type) sent by a client")
        }
    }

    // MARK: Output

    /// Encodes a packet into the output buffer; it goes out with the next flush.
    func write(_ packet: MQTTPacket) {
        if !heldAcknowledgements.isEmpty, packet.queuesBehindHeldAcknowledgements {
            heldAcknowledgements.append(HeldAcknowledgement(packet: packet, outstanding: 0))
            return
        }
        encode(packet)
    }

    /// Encodes a packet into the output buffer now, whatever is held.
    func encode(_ packet: MQTTPacket) {
        do {
            try output.writeMQTTPacket(packet, version: protocolVersion)
            outputPacketCount += 1
        } catch {
            // Our own packets are built valid; this is a bug worth seeing, not a reason to crash.
            logger.error("could not encode \(packet.type)", metadata: ["error": "\(error)"])
        }
    }

    func flushOutput() {
        guard output.readableBytes > 0, let context else { return }
        guard !mustWaitForStore() else { return }
        broker.statistics.bytesSent.add(output.readableBytes)
        let buffer = output
        output = context.channel.allocator.buffer(capacity: 0)
        outputPacketCount = 0
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    // MARK: Errors and closing

    private func decodingFailed(_ error: MQTTCodecError) {
        broker.statistics.protocolErrors.add(1)
        if error.reasonCode == .packetTooLarge {
            broker.statistics.limitPacketTooLarge.add(1)
        }
        logger.info("closing connection: invalid packet", metadata: ["error": "\(error)"])
        switch phase {
        case .awaitingConnect:
            // Answer CONNECT problems with CONNACK where the protocol has a code for them
            // (MQTT-3.1.4-1/-2, MQTT 3.1.1 §3.2.2.3: return code 1 for an unknown level).
            if error.packetType == .connect {
                let version = error.protocolVersion ?? .v3_1_1
                if version == .v5 || error.reasonCode == .unsupportedProtocolVersion {
                    do {
                        try output.writeMQTTPacket(
                            .connack(ConnAckPacket(reasonCode: error.reasonCode)),
                            version: version
                        )
                    } catch {
                        logger.error("could not encode CONNACK", metadata: ["error": "\(error)"])
                    }
                }
            }
            closeConnection()
        case .connected:
            protocolViolation(error.reasonCode, error.detail)
        case .closing, .closed:
            return
        }
    }

    /// Ends the connection because the client broke a rule: v5 clients get DISCONNECT with the
    /// reason code first (MQTT 5.0 §4.13.1); 3.1.1 has no way to say why, so the network
    /// connection is just closed (MQTT 3.1.1 §4.8). The Will is published.
    func protocolViolation(_ reasonCode: MQTTReasonCode, _ detail: String) {
        guard phase == .connected else { return }
        logger.info("closing connection: \(detail)", metadata: ["reason": "\(reasonCode)"])
        disconnect(reasonCode)
    }

    /// Sends a server DISCONNECT (v5 only) and closes.
    func disconnect(_ reasonCode: MQTTReasonCode, reasonString: String? = nil) {
        if protocolVersion == .v5, phase == .connected {
            var properties = MQTTProperties()
            if let reasonString, connected?.negotiated.requestProblemInformation ?? true {
                properties.reasonString = reasonString
            }
            write(.disconnect(DisconnectPacket(reasonCode: reasonCode, properties: properties)))
        }
        closeConnection()
    }

    /// Flushes what is pending and closes the channel; `channelInactive` does the clean-up.
    func closeConnection() {
        guard phase != .closed, let context else { return }
        if phase != .closing {
            phase = .closing
        }
        flushOutput()
        context.close(promise: nil)
    }
}
