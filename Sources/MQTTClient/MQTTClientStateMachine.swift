import DequeModule
import MQTTCodec
import NIOCore

/// The protocol logic of one ``MQTTClient``: connection phases, packet identifiers, the outgoing
/// in-flight window, the QoS 1 and QoS 2 flows in both directions, topic aliases and keep-alive.
///
/// A value type without I/O: every event returns an ``Action`` that the caller performs (write a
/// packet, resume a waiter, deliver a message, close the connection). Time comes in as arguments,
/// so tests drive it. `Waiter` is whatever the caller resumes: the client uses continuations,
/// tests use integers.
///
/// Events that make room in the outgoing window (PUBACK, PUBCOMP, a failed PUBREC), a CONNACK that
/// resumes a session and a channel that becomes writable again can release queued packets: after
/// every event the caller pulls ``nextQueuedAction()`` until it returns `.none`.
///
/// Every connection attempt gets a new `generation`; events of an older connection (a channel that
/// closes late, an acknowledgement of a message received on a dropped connection) are ignored.
struct MQTTClientStateMachine<Waiter> {
    /// What the client was configured with.
    struct Options {
        /// The CONNECT to send (the client id is replaced by an assigned one when empty).
        var connect: ConnectPacket
        /// The client's own limit of unacknowledged outgoing QoS 1/2 PUBLISHes.
        var maximumInFlight: Int
        /// Whether outgoing PUBLISHes use topic aliases (MQTT 5.0, up to the server's maximum).
        var useTopicAliases: Bool
        /// How long to wait for PINGRESP before closing the connection.
        var pingTimeout: TimeAmount
    }

    /// What a waiter is resumed with.
    enum Response {
        case connAck(ConnAckPacket)
        case published(PublishResult)
        case subAck(SubAckPacket)
        case unsubAck(UnsubAckPacket)
        /// `disconnect()` or `close()` completed: the connection is closed.
        case closed
    }

    /// What the caller must do after an event.
    enum Action {
        case none
        case write(MQTTPacket)
        case resume(Waiter, Result<Response, MQTTClientError>)
        /// Write the packet, then resume the waiter (QoS 0 PUBLISH); if the packet cannot be
        /// encoded, report ``writeFailed(_:error:)`` and fail the waiter instead.
        case writeAndResume(MQTTPacket, Waiter, Result<Response, MQTTClientError>)
        /// Hand a received PUBLISH to the consumer of `messages`.
        case deliver(PublishPacket)
        /// Close the connection, writing this DISCONNECT first when there is one. The rest
        /// follows from ``channelInactive(generation:)``.
        case close(DisconnectPacket?)
        case resumeAndClose(Waiter, Result<Response, MQTTClientError>)
        /// Several of the above, in order (rare paths only).
        case batch([Action])
    }

    /// What to do when the connection has closed.
    struct Closed {
        /// Calls that fail with `error`.
        var failed: [Waiter] = []
        var error: MQTTClientError
        /// How `messages` of the connection ends: nil for a close the client asked for.
        var messagesError: MQTTClientError?
        /// The callers of `disconnect()`/`close()`, resumed with `.closed`.
        var closeWaiters: [Waiter] = []
    }

    fileprivate enum Phase {
        case idle
        /// `connect()` was called: the channel is being opened or CONNECT was sent.
        case connecting(Waiter)
        case connected
        /// The connection is being closed (by `disconnect()`/`close()`, a server DISCONNECT, a
        /// protocol error or a timeout); waiting for the channel to become inactive.
        case closing(closeWaiters: [Waiter], connectWaiter: Waiter?)
    }

    /// An outgoing packet that holds a packet identifier.
    fileprivate enum Outgoing {
        case publish(OutgoingPublish)
        case subscribe(Waiter)
        case unsubscribe(Waiter)
    }

    fileprivate struct OutgoingPublish {
        /// As the caller made it, with its packet identifier and without a topic alias.
        var packet: PublishPacket
        /// Nil once the connection the PUBLISH was sent on closed: the call failed then, but the
        /// message stays in the session and is resent on resumption (MQTT-4.4.0-1).
        var waiter: Waiter?
        /// Send order, for resending in the original order (MQTT 5.0 §4.6).
        var sequence: UInt64
        /// QoS 2: PUBREC arrived and PUBREL was sent; waiting for PUBCOMP.
        var released: Bool
    }

    fileprivate struct QueuedPublish {
        var packet: PublishPacket
        var waiter: Waiter
    }

    let options: Options
    var version: MQTTProtocolVersion { self.options.connect.protocolVersion }

    private var phase: Phase = .idle
    /// Which connection attempt the current channel belongs to.
    private(set) var generation: UInt64 = 0
    private var channelIsActive = false
    /// Why the client is closing the connection, when it decided to (not for a requested close).
    private var pendingCloseError: MQTTClientError?
    /// The last DISCONNECT the server sent (MQTT 5.0), until the next `connect()`.
    private(set) var serverDisconnect: DisconnectPacket?
    /// The client identifier the server assigned (MQTT 5.0), reused on reconnection.
    private(set) var assignedClientID: String?

    // MARK: Session state: survives the connection when the session does (MQTT 5.0 §4.1).

    private var nextPacketID: UInt16 = 1
    private var outgoing: [UInt16: Outgoing] = [:]
    private var nextSequence: UInt64 = 0
    /// Outgoing QoS 1/2 PUBLISHes not yet completed: the send quota in use (MQTT 5.0 §4.9).
    private(set) var inFlightPublishes = 0
    /// QoS 2 PUBLISHes received and answered with PUBREC, until PUBREL: a DUP of one of these is
    /// not delivered again (MQTT 5.0 §4.3.3).
    private var incomingAwaitingRelease: Set<UInt16> = []

    // MARK: Connection state

    /// Received QoS 1/2 PUBLISHes handed to the consumer and not yet acknowledged.
    private var incomingUnacknowledged: [UInt16: QoS] = [:]
    private var queue: Deque<QueuedPublish> = []
    /// PUBLISH (DUP) and PUBREL packets to resend after a session resumed.
    private var resend: Deque<MQTTPacket> = []
    private var writable = true
    private var sendWindow = 1
    private var maximumPacketSize: Int?
    private var maximumQoS: QoS = .exactlyOnce
    private var retainAvailable = true
    private var serverTopicAliasMaximum: UInt16 = 0
    private var outgoingAliases: [String: UInt16] = [:]
    private var incomingAliases: [UInt16: String] = [:]
    private var keepAlive: TimeAmount?
    /// PINGRESPs received over the client's life (for tests and diagnostics).
    private(set) var pingResponsesReceived = 0
    private var lastWrite = NIODeadline.uptimeNanoseconds(0)
    private var pingSentAt: NIODeadline?

    init(options: Options) {
        self.options = options
    }

    var isConnected: Bool {
        switch self.phase {
        case .connected: true
        case .idle, .connecting, .closing: false
        }
    }

    /// The number of PUBLISHes waiting for room in the window or for the channel to drain.
    var queuedPublishes: Int { self.queue.count }

    /// The number of outgoing topic aliases set up on this connection.
    var outgoingTopicAliasCount: Int { self.outgoingAliases.count }

    // MARK: - Connecting

    enum ConnectAction {
        /// Open a channel; its events carry this generation.
        case startConnecting(generation: UInt64)
        case fail(Waiter, MQTTClientError)
    }

    mutating func connect(waiter: Waiter) -> ConnectAction {
        switch self.phase {
        case .idle:
            self.generation &+= 1
            self.phase = .connecting(waiter)
            self.channelIsActive = false
            self.pendingCloseError = nil
            self.serverDisconnect = nil
            return .startConnecting(generation: self.generation)
        case .connecting, .connected, .closing:
            return .fail(waiter, MQTTClientError(.alreadyConnected))
        }
    }

    /// The channel is up: send CONNECT.
    mutating func channelActive(generation: UInt64, now: NIODeadline) -> Action {
        guard generation == self.generation else { return .close(nil) }
        switch self.phase {
        case .connecting:
            self.channelIsActive = true
            var connect = self.options.connect
            if connect.clientID.isEmpty, let assigned = self.assignedClientID {
                connect.clientID = assigned
            }
            if connect.cleanStart {
                // Clean Start: "the Client and Server MUST discard any existing Session"
                // (MQTT-3.1.2-4; MQTT 3.1.1 MQTT-3.1.2-6).
                self.discardSession()
            }
            self.lastWrite = now
            return .write(.connect(connect))
        case .closing:
            // close() was called while the channel was being opened.
            self.channelIsActive = true
            return .close(nil)
        case .idle, .connected:
            // The attempt timed out before the channel came up.
            return .close(nil)
        }
    }

    /// The channel could not be opened.
    mutating func connectFailed(generation: UInt64, error: any Error) -> Action {
        guard generation == self.generation, !self.channelIsActive else { return .none }
        let failure = MQTTClientError(.connectFailed, detail: "\(error)", underlying: error)
        switch self.phase {
        case .connecting(let waiter):
            self.phase = .idle
            return .resume(waiter, .failure(failure))
        case .closing(let closeWaiters, let connectWaiter):
            self.phase = .idle
            var actions: [Action] = []
            if let connectWaiter { actions.append(.resume(connectWaiter, .failure(failure))) }
            for closeWaiter in closeWaiters { actions.append(.resume(closeWaiter, .success(.closed))) }
            return .batch(actions)
        case .idle, .connected:
            return .none
        }
    }

    /// No CONNACK within the connect timeout.
    mutating func connectTimedOut(generation: UInt64) -> Action {
        guard generation == self.generation, case .connecting(let waiter) = self.phase else { return .none }
        let error = MQTTClientError(.connectTimeout)
        guard self.channelIsActive else {
            // The channel is still being opened; when it comes up, channelActive closes it.
            self.phase = .idle
            return .resume(waiter, .failure(error))
        }
        self.phase = .closing(closeWaiters: [], connectWaiter: nil)
        self.pendingCloseError = error
        return .resumeAndClose(waiter, .failure(error))
    }

    private mutating func connAckReceived(_ connack: ConnAckPacket, waiter: Waiter) -> Action {
        guard !connack.reasonCode.isFailure else {
            let error = MQTTClientError(
                .connectionRefused,
                reasonCode: connack.reasonCode,
                detail: connack.properties.reasonString ?? ""
            )
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            self.pendingCloseError = error
            return .resumeAndClose(waiter, .failure(error))
        }
        if connack.sessionPresent && self.options.connect.cleanStart {
            // MQTT-3.2.2-1 (3.1.1) / MQTT-3.2.2-2 (5.0): a clean start never has a session;
            // "If the Client does not have Session State and receives Session Present set to 1
            // it MUST close the Network Connection" (MQTT-3.2.2-4).
            return self.protocolError(.protocolError, "CONNACK has Session Present after a Clean Start")
        }
        self.phase = .connected
        let properties = connack.properties
        // MQTT 5.0 §4.9: never more unacknowledged QoS 1/2 PUBLISHes than the Receive Maximum.
        let receiveMaximum = Int(properties.receiveMaximum ?? UInt16.max)
        self.sendWindow = max(1, min(self.options.maximumInFlight, receiveMaximum))
        self.maximumPacketSize = properties.maximumPacketSize.map { Int($0) }
        self.maximumQoS = properties.maximumQoS ?? .exactlyOnce
        self.retainAvailable = properties.retainAvailable ?? true
        self.serverTopicAliasMaximum =
            self.version == .v5 && self.options.useTopicAliases ? properties.topicAliasMaximum ?? 0 : 0
        if let assigned = properties.assignedClientIdentifier {
            self.assignedClientID = assigned
        }
        // "If the Server returns a Server Keep Alive on the CONNACK packet, the Client MUST use
        // that value instead of the value it sent as the Keep Alive" (MQTT-3.2.2-21).
        let keepAliveSeconds = properties.serverKeepAlive ?? self.options.connect.keepAlive
        self.keepAlive = keepAliveSeconds == 0 ? nil : .seconds(Int64(keepAliveSeconds))

        if connack.sessionPresent {
            self.scheduleResend()
        } else {
            // "If the Client does have Session State and receives Session Present set to 0 it
            // MUST discard its Session State" (MQTT-3.2.2-5).
            self.discardSession()
        }
        return .resume(waiter, .success(.connAck(connack)))
    }

    /// Drops what the session held. Only reached with no waiter in `outgoing`: before CONNECT or
    /// on CONNACK, when every call of an earlier connection has already failed.
    private mutating func discardSession() {
        self.outgoing.removeAll()
        self.inFlightPublishes = 0
        self.incomingAwaitingRelease.removeAll()
    }

    /// "When a Client reconnects with Clean Start set to 0 and a session is present, both the
    /// Client and Server MUST resend any unacknowledged PUBLISH packets (where QoS > 0) and PUBREL
    /// packets using their original Packet Identifiers" (MQTT-4.4.0-1), in their original order.
    private mutating func scheduleResend() {
        var entries: [(sequence: UInt64, packet: MQTTPacket)] = []
        for (id, entry) in self.outgoing {
            switch entry {
            case .publish(let publish):
                if publish.released {
                    entries.append((publish.sequence, .pubrel(PublishFlowPacket(packetID: id))))
                } else {
                    var packet = publish.packet
                    packet.dup = true  // MQTT-3.3.1-1
                    entries.append((publish.sequence, .publish(packet)))
                }
            case .subscribe, .unsubscribe:
                // Removed when the connection closed.
                break
            }
        }
        entries.sort { $0.sequence < $1.sequence }
        self.resend = Deque(entries.map(\.packet))
    }

    // MARK: - Requests

    mutating func publish(_ packet: PublishPacket, waiter: Waiter) -> Action {
        switch self.phase {
        case .connected:
            break
        case .idle, .connecting, .closing:
            return .resume(waiter, .failure(MQTTClientError(.notConnected)))
        }
        if let error = self.check(packet) {
            return .resume(waiter, .failure(error))
        }
        // Keep the caller's order: nothing overtakes what is already queued.
        if !self.queue.isEmpty || !self.resend.isEmpty || !self.writable
            || (packet.qos != .atMostOnce && !self.hasRoomInWindow)
        {
            self.queue.append(QueuedPublish(packet: packet, waiter: waiter))
            return .none
        }
        return self.send(packet, waiter: waiter)
    }

    /// The next packet that may be written now: resends first, then queued PUBLISHes as the
    /// window and the channel allow.
    mutating func nextQueuedAction() -> Action {
        guard self.isConnected, self.writable else { return .none }
        if let packet = self.resend.popFirst() {
            if case .publish(let publish) = packet {
                return .write(.publish(self.applyTopicAlias(publish)))
            }
            return .write(packet)
        }
        guard let head = self.queue.first else { return .none }
        if head.packet.qos != .atMostOnce && !self.hasRoomInWindow {
            return .none
        }
        self.queue.removeFirst()
        return self.send(head.packet, waiter: head.waiter)
    }

    mutating func subscribe(_ subscriptions: [TopicSubscription], properties: MQTTProperties, waiter: Waiter) -> Action
    {
        guard self.isConnected else { return .resume(waiter, .failure(MQTTClientError(.notConnected))) }
        guard self.outgoing.count < Int(UInt16.max) else {
            return .resume(waiter, .failure(MQTTClientError(.packetIdentifiersExhausted)))
        }
        let id = self.allocatePacketID()
        self.outgoing[id] = .subscribe(waiter)
        return .write(.subscribe(SubscribePacket(packetID: id, subscriptions: subscriptions, properties: properties)))
    }

    mutating func unsubscribe(_ topicFilters: [String], properties: MQTTProperties, waiter: Waiter) -> Action {
        guard self.isConnected else { return .resume(waiter, .failure(MQTTClientError(.notConnected))) }
        guard self.outgoing.count < Int(UInt16.max) else {
            return .resume(waiter, .failure(MQTTClientError(.packetIdentifiersExhausted)))
        }
        let id = self.allocatePacketID()
        self.outgoing[id] = .unsubscribe(waiter)
        return .write(
            .unsubscribe(UnsubscribePacket(packetID: id, topicFilters: topicFilters, properties: properties))
        )
    }

    /// A normal disconnection: DISCONNECT, then close. Without a connection, completes at once.
    mutating func disconnect(_ packet: DisconnectPacket, waiter: Waiter) -> Action {
        switch self.phase {
        case .connected:
            self.phase = .closing(closeWaiters: [waiter], connectWaiter: nil)
            return .close(packet)
        case .idle, .connecting, .closing:
            return self.close(waiter: waiter)
        }
    }

    /// Closes the network connection without DISCONNECT (the server then publishes the Will).
    /// Completes when the channel is closed; any number of callers may wait for that.
    mutating func close(waiter: Waiter) -> Action {
        switch self.phase {
        case .idle:
            return .resume(waiter, .success(.closed))
        case .connecting(let connectWaiter):
            self.phase = .closing(closeWaiters: [waiter], connectWaiter: connectWaiter)
            // Without a channel yet, channelActive or connectFailed finishes this.
            return self.channelIsActive ? .close(nil) : .none
        case .connected:
            self.phase = .closing(closeWaiters: [waiter], connectWaiter: nil)
            return .close(nil)
        case .closing(var closeWaiters, let connectWaiter):
            closeWaiters.append(waiter)
            self.phase = .closing(closeWaiters: closeWaiters, connectWaiter: connectWaiter)
            return .none
        }
    }

    /// Whether the connection is being closed: `connect()` must wait for that to finish.
    var isClosing: Bool {
        switch self.phase {
        case .closing: true
        case .idle, .connecting, .connected: false
        }
    }

    /// The consumer took (automatic mode) or acknowledged (manual mode) a received QoS 1/2
    /// PUBLISH: send PUBACK, or PUBREC and wait for PUBREL.
    mutating func acknowledge(packetID: UInt16, generation: UInt64) -> Action {
        guard generation == self.generation, self.isConnected,
            let qos = self.incomingUnacknowledged.removeValue(forKey: packetID)
        else {
            return .none
        }
        switch qos {
        case .atMostOnce:
            return .none
        case .atLeastOnce:
            return .write(.puback(PublishFlowPacket(packetID: packetID)))
        case .exactlyOnce:
            self.incomingAwaitingRelease.insert(packetID)
            return .write(.pubrec(PublishFlowPacket(packetID: packetID)))
        }
    }

    /// Whether a received PUBLISH of this connection still waits for its acknowledgement.
    func isAwaitingAcknowledgement(packetID: UInt16, generation: UInt64) -> Bool {
        generation == self.generation && self.isConnected && self.incomingUnacknowledged[packetID] != nil
    }

    // MARK: - Channel events

    mutating func channelWritabilityChanged(isWritable: Bool) {
        self.writable = isWritable
    }

    /// Bytes went out: restarts the keep-alive interval (MQTT-3.1.2-23 counts packets sent).
    mutating func didWrite(now: NIODeadline) {
        self.lastWrite = now
    }

    /// A packet could not be encoded: undo what sending it changed and fail its caller.
    mutating func writeFailed(_ packet: MQTTPacket, error: MQTTCodecError) -> Action {
        let failure = MQTTClientError(
            .invalidPacket,
            reasonCode: error.reasonCode,
            detail: error.description,
            underlying: error
        )
        switch packet {
        case .publish(let publish):
            // An alias set up by this packet was never announced: forget it. It was the last one
            // assigned, so the next packet gets the same number.
            if let alias = publish.properties.topicAlias, !publish.topic.isEmpty,
                self.outgoingAliases[publish.topic] == alias, Int(alias) == self.outgoingAliases.count
            {
                self.outgoingAliases[publish.topic] = nil
            }
            guard let id = publish.packetID, case .publish(let entry)? = self.outgoing[id] else { return .none }
            self.outgoing[id] = nil
            self.inFlightPublishes -= 1
            return entry.waiter.map { .resume($0, .failure(failure)) } ?? .none
        case .subscribe(let subscribe):
            guard case .subscribe(let waiter)? = self.outgoing[subscribe.packetID] else { return .none }
            self.outgoing[subscribe.packetID] = nil
            return .resume(waiter, .failure(failure))
        case .unsubscribe(let unsubscribe):
            guard case .unsubscribe(let waiter)? = self.outgoing[unsubscribe.packetID] else { return .none }
            self.outgoing[unsubscribe.packetID] = nil
            return .resume(waiter, .failure(failure))
        case .connect:
            guard case .connecting(let waiter) = self.phase else { return .none }
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            self.pendingCloseError = failure
            return .resumeAndClose(waiter, .failure(failure))
        case .connack, .puback, .pubrec, .pubrel, .pubcomp, .suback, .unsuback, .pingreq, .pingresp, .disconnect,
            .auth:
            return .none
        }
    }

    /// The decoder refused what the server sent.
    mutating func decodeFailed(_ error: MQTTCodecError, generation: UInt64) -> Action {
        guard generation == self.generation, self.channelIsActive else { return .none }
        return self.protocolError(error.reasonCode, error.description)
    }

    /// The channel reported an error (a reset connection, a TLS failure); it is being closed.
    /// Before CONNACK (a TLS handshake failure, a reset) the connect call fails with
    /// `.connectFailed`; later, calls and `messages` end with `.connectionClosed`.
    mutating func channelError(_ error: any Error, generation: UInt64) {
        guard generation == self.generation, self.pendingCloseError == nil else { return }
        let code: MQTTClientError.Code
        switch self.phase {
        case .connecting: code = .connectFailed
        case .idle, .connected, .closing: code = .connectionClosed
        }
        self.pendingCloseError = MQTTClientError(code, detail: "\(error)", underlying: error)
    }

    mutating func channelInactive(generation: UInt64) -> Closed? {
        guard generation == self.generation, self.channelIsActive else { return nil }
        self.channelIsActive = false
        let connectionClosed = MQTTClientError(.connectionClosed)
        var closed = Closed(error: self.pendingCloseError ?? connectionClosed)
        switch self.phase {
        case .idle:
            break
        case .connecting(let waiter):
            closed.failed.append(waiter)
            closed.messagesError = closed.error
        case .connected:
            closed.messagesError = closed.error
        case .closing(let closeWaiters, let connectWaiter):
            closed.closeWaiters = closeWaiters
            if let connectWaiter { closed.failed.append(connectWaiter) }
            closed.messagesError = self.pendingCloseError
        }
        self.phase = .idle

        for queued in self.queue { closed.failed.append(queued.waiter) }
        for (id, entry) in self.outgoing {
            switch entry {
            case .publish(var publish):
                if let waiter = publish.waiter {
                    closed.failed.append(waiter)
                    publish.waiter = nil
                    self.outgoing[id] = .publish(publish)
                }
            case .subscribe(let waiter), .unsubscribe(let waiter):
                closed.failed.append(waiter)
                self.outgoing[id] = nil
            }
        }
        self.queue.removeAll()
        self.resend.removeAll()
        self.incomingUnacknowledged.removeAll()
        self.outgoingAliases.removeAll()
        self.incomingAliases.removeAll()
        self.writable = true
        self.keepAlive = nil
        self.pingSentAt = nil
        return closed
    }

    // MARK: - Received packets

    mutating func receive(_ packet: MQTTPacket, generation: UInt64) -> Action {
        guard generation == self.generation, self.channelIsActive else { return .none }
        switch self.phase {
        case .idle, .closing:
            // Whatever arrives after the client decided to close is dropped.
            return .none
        case .connecting(let waiter):
            switch packet {
            case .connack(let connack):
                return self.connAckReceived(connack, waiter: waiter)
            case .disconnect(let disconnect):
                return self.disconnectReceived(disconnect)
            case .connect, .publish, .puback, .pubrec, .pubrel, .pubcomp, .subscribe, .suback, .unsubscribe,
                .unsuback, .pingreq, .pingresp, .auth:
                // "The first packet sent from the Server to the Client MUST be a CONNACK packet"
                // (MQTT-3.2.0-1).
                return self.protocolError(.protocolError, "expected CONNACK, got \(packet.type)")
            }
        case .connected:
            break
        }
        switch packet {
        case .publish(let publish):
            return self.publishReceived(publish)
        case .puback(let ack):
            return self.pubAckReceived(ack)
        case .pubrec(let ack):
            return self.pubRecReceived(ack)
        case .pubrel(let ack):
            return self.pubRelReceived(ack)
        case .pubcomp(let ack):
            return self.pubCompReceived(ack)
        case .suback(let suback):
            guard case .subscribe(let waiter)? = self.outgoing[suback.packetID] else {
                return self.protocolError(.protocolError, "SUBACK for unknown packet identifier \(suback.packetID)")
            }
            self.outgoing[suback.packetID] = nil
            return .resume(waiter, .success(.subAck(suback)))
        case .unsuback(let unsuback):
            guard case .unsubscribe(let waiter)? = self.outgoing[unsuback.packetID] else {
                return self.protocolError(
                    .protocolError,
                    "UNSUBACK for unknown packet identifier \(unsuback.packetID)"
                )
            }
            self.outgoing[unsuback.packetID] = nil
            return .resume(waiter, .success(.unsubAck(unsuback)))
        case .pingresp:
            self.pingSentAt = nil
            self.pingResponsesReceived += 1
            return .none
        case .disconnect(let disconnect):
            return self.disconnectReceived(disconnect)
        case .connack:
            return self.protocolError(.protocolError, "second CONNACK")
        case .connect, .subscribe, .unsubscribe, .pingreq:
            return self.protocolError(.protocolError, "a server does not send \(packet.type)")
        case .auth:
            // Enhanced authentication is not supported: the client never sends an Authentication
            // Method, so the server must not send AUTH (MQTT 5.0 §4.12).
            return self.protocolError(.protocolError, "unexpected AUTH")
        }
    }

    private mutating func publishReceived(_ received: PublishPacket) -> Action {
        var packet = received
        if self.version == .v5 {
            if let alias = packet.properties.topicAlias {
                // MQTT 5.0 §3.3.2.3.4: 0 and values above the maximum we announced are invalid
                // (MQTT-3.3.2-9, MQTT-3.3.2-10).
                let maximum = self.options.connect.properties.topicAliasMaximum ?? 0
                guard alias != 0, alias <= maximum else {
                    return self.protocolError(.topicAliasInvalid, "Topic Alias \(alias) exceeds our maximum \(maximum)")
                }
                if packet.topic.isEmpty {
                    guard let topic = self.incomingAliases[alias] else {
                        return self.protocolError(.protocolError, "Topic Alias \(alias) was never set")
                    }
                    packet.topic = topic
                } else {
                    self.incomingAliases[alias] = packet.topic
                }
                packet.properties.topicAlias = nil
            } else if packet.topic.isEmpty {
                return self.protocolError(.protocolError, "PUBLISH without topic name or alias")
            }
        }
        guard let id = packet.packetID else { return .deliver(packet) }
        switch packet.qos {
        case .atMostOnce:
            return .deliver(packet)
        case .atLeastOnce:
            if self.incomingUnacknowledged[id] != nil {
                // A resend of a message the consumer holds: acknowledging that one covers both.
                return .none
            }
            if let error = self.checkReceiveMaximum() { return error }
            self.incomingUnacknowledged[id] = .atLeastOnce
            return .deliver(packet)
        case .exactlyOnce:
            if self.incomingAwaitingRelease.contains(id) {
                // "Until it has received the corresponding PUBREL packet, the receiver MUST
                // acknowledge any subsequent PUBLISH packet with the same Packet Identifier by
                // sending a PUBREC. It MUST NOT cause duplicate messages to be delivered to any
                // onward recipients in this case" (MQTT 5.0 §4.3.3).
                return .write(.pubrec(PublishFlowPacket(packetID: id)))
            }
            if self.incomingUnacknowledged[id] != nil {
                return .none
            }
            if let error = self.checkReceiveMaximum() { return error }
            self.incomingUnacknowledged[id] = .exactlyOnce
            return .deliver(packet)
        }
    }

    /// MQTT 5.0 §3.3.4: a server must not send more unacknowledged QoS 1/2 PUBLISHes than our
    /// Receive Maximum; the client then disconnects with 0x93 (MQTT-3.3.4-9).
    private mutating func checkReceiveMaximum() -> Action? {
        guard self.version == .v5, let maximum = self.options.connect.properties.receiveMaximum else { return nil }
        guard self.incomingUnacknowledged.count + self.incomingAwaitingRelease.count >= Int(maximum) else {
            return nil
        }
        return self.protocolError(.receiveMaximumExceeded, "more than \(maximum) unacknowledged PUBLISHes")
    }

    private mutating func pubAckReceived(_ ack: PublishFlowPacket) -> Action {
        guard case .publish(let entry)? = self.outgoing[ack.packetID], entry.packet.qos == .atLeastOnce else {
            // Late or duplicate acknowledgement: nothing waits for it.
            return .none
        }
        self.outgoing[ack.packetID] = nil
        self.inFlightPublishes -= 1
        return self.complete(entry, with: ack)
    }

    private mutating func pubRecReceived(_ ack: PublishFlowPacket) -> Action {
        guard case .publish(var entry)? = self.outgoing[ack.packetID], entry.packet.qos == .exactlyOnce else {
            // MQTT 5.0 §3.6.2.1: PUBREL with 0x92 answers a PUBREC nobody waits for.
            guard self.version == .v5 else { return .none }
            return .write(.pubrel(PublishFlowPacket(packetID: ack.packetID, reasonCode: .packetIdentifierNotFound)))
        }
        if ack.reasonCode.isFailure {
            // The flow ends here and the quota comes back (MQTT 5.0 §4.9).
            self.outgoing[ack.packetID] = nil
            self.inFlightPublishes -= 1
            return self.complete(entry, with: ack)
        }
        if !entry.released {
            entry.released = true
            self.outgoing[ack.packetID] = .publish(entry)
        }
        // MQTT 5.0 §4.3.3: the sender answers PUBREC with PUBREL (again, for a duplicate PUBREC).
        return .write(.pubrel(PublishFlowPacket(packetID: ack.packetID)))
    }

    private mutating func pubRelReceived(_ ack: PublishFlowPacket) -> Action {
        if self.incomingAwaitingRelease.remove(ack.packetID) != nil {
            return .write(.pubcomp(PublishFlowPacket(packetID: ack.packetID)))
        }
        // Always answer PUBREL, with 0x92 in 5.0 when the identifier is unknown (MQTT 5.0 §3.7.2.1).
        let reason: MQTTReasonCode = self.version == .v5 ? .packetIdentifierNotFound : .success
        return .write(.pubcomp(PublishFlowPacket(packetID: ack.packetID, reasonCode: reason)))
    }

    private mutating func pubCompReceived(_ ack: PublishFlowPacket) -> Action {
        guard case .publish(let entry)? = self.outgoing[ack.packetID], entry.packet.qos == .exactlyOnce,
            entry.released
        else {
            return .none
        }
        self.outgoing[ack.packetID] = nil
        self.inFlightPublishes -= 1
        return self.complete(entry, with: ack)
    }

    private func complete(_ entry: OutgoingPublish, with ack: PublishFlowPacket) -> Action {
        guard let waiter = entry.waiter else { return .none }
        let result = PublishResult(packetID: ack.packetID, reasonCode: ack.reasonCode, properties: ack.properties)
        return .resume(waiter, .success(.published(result)))
    }

    private mutating func disconnectReceived(_ disconnect: DisconnectPacket) -> Action {
        self.serverDisconnect = disconnect
        let error = MQTTClientError(
            .serverDisconnected,
            reasonCode: disconnect.reasonCode,
            detail: disconnect.properties.reasonString ?? ""
        )
        self.pendingCloseError = error
        switch self.phase {
        case .connecting(let waiter):
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            return .resumeAndClose(waiter, .failure(error))
        case .connected:
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            return .close(nil)
        case .idle, .closing:
            return .none
        }
    }

    /// Closes the connection because the server broke the protocol; in 5.0 with a DISCONNECT that
    /// says why (MQTT 5.0 §4.13.1).
    private mutating func protocolError(_ reason: MQTTReasonCode, _ detail: String) -> Action {
        let error = MQTTClientError(.protocolError, reasonCode: reason, detail: detail)
        switch self.phase {
        case .connecting(let waiter):
            self.pendingCloseError = error
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            return .resumeAndClose(waiter, .failure(error))
        case .connected:
            self.pendingCloseError = error
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            return .close(self.version == .v5 ? DisconnectPacket(reasonCode: reason) : nil)
        case .idle, .closing:
            return .none
        }
    }

    // MARK: - Keep-alive

    /// When the keep-alive timer should fire next; nil when keep-alive is off or not connected.
    var keepAliveDeadline: NIODeadline? {
        guard self.isConnected, let keepAlive = self.keepAlive else { return nil }
        if let pingSentAt = self.pingSentAt {
            return pingSentAt + self.options.pingTimeout
        }
        return self.lastWrite + keepAlive
    }

    /// The keep-alive timer fired: send PINGREQ when nothing was sent for Keep Alive seconds
    /// (MQTT-3.1.2-23), close when a PINGREQ went unanswered for the ping timeout (MQTT 5.0
    /// §3.1.2.10: "If a Client does not receive a PINGRESP packet within a reasonable amount of
    /// time after it has sent a PINGREQ, it SHOULD close the Network Connection").
    ///
    /// While reads are paused because the consumer of `messages` is slow, a PINGRESP cannot be
    /// seen, so the timeout starts over instead of closing a healthy connection.
    mutating func keepAliveTimerFired(now: NIODeadline, readsPaused: Bool) -> Action {
        guard self.isConnected, let keepAlive = self.keepAlive else { return .none }
        if let pingSentAt = self.pingSentAt {
            guard now >= pingSentAt + self.options.pingTimeout else { return .none }
            guard !readsPaused else {
                self.pingSentAt = now
                return .none
            }
            let error = MQTTClientError(.keepAliveTimeout, detail: "no PINGRESP within \(self.options.pingTimeout)")
            self.pendingCloseError = error
            self.phase = .closing(closeWaiters: [], connectWaiter: nil)
            return .close(nil)
        }
        guard now >= self.lastWrite + keepAlive else { return .none }
        self.pingSentAt = now
        self.lastWrite = now
        return .write(.pingreq)
    }

    // MARK: - Helpers

    private var hasRoomInWindow: Bool {
        self.inFlightPublishes < self.sendWindow && self.outgoing.count < Int(UInt16.max)
    }

    /// Rules the server announced in CONNACK that a PUBLISH must follow.
    private func check(_ packet: PublishPacket) -> MQTTClientError? {
        if packet.qos > self.maximumQoS {
            return MQTTClientError(.qosNotSupported, detail: "server Maximum QoS is \(self.maximumQoS.rawValue)")
        }
        if packet.retain && !self.retainAvailable {
            return MQTTClientError(.retainNotSupported)
        }
        if let maximum = self.maximumPacketSize {
            let size = MQTTPacket.publish(packet).encodedSize(version: self.version)
            if size > maximum {
                return MQTTClientError(
                    .packetTooLarge,
                    detail: "\(size) bytes exceed the server's Maximum Packet Size of \(maximum)"
                )
            }
        }
        return nil
    }

    private mutating func send(_ publish: PublishPacket, waiter: Waiter) -> Action {
        var packet = publish
        packet.dup = false
        switch packet.qos {
        case .atMostOnce:
            packet.packetID = nil
            let result = PublishResult(packetID: nil)
            return .writeAndResume(.publish(self.applyTopicAlias(packet)), waiter, .success(.published(result)))
        case .atLeastOnce, .exactlyOnce:
            let id = self.allocatePacketID()
            packet.packetID = id
            self.outgoing[id] = .publish(
                OutgoingPublish(packet: packet, waiter: waiter, sequence: self.nextSequence, released: false)
            )
            self.nextSequence &+= 1
            self.inFlightPublishes += 1
            return .write(.publish(self.applyTopicAlias(packet)))
        }
    }

    /// Packet identifiers run 1...65535 and are never used by two packets at once
    /// (MQTT-2.2.1-3). Callers check that one is free.
    private mutating func allocatePacketID() -> UInt16 {
        while true {
            let id = self.nextPacketID
            self.nextPacketID = id == UInt16.max ? 1 : id + 1
            if self.outgoing[id] == nil { return id }
        }
    }

    /// Replaces the topic by an alias the server knows, or sets up a new alias while the server's
    /// Topic Alias Maximum allows (MQTT 5.0 §3.3.2.3.4). Aliases belong to one connection
    /// (MQTT-3.3.2-7), so this runs as the packet is written, never on the stored copy.
    private mutating func applyTopicAlias(_ publish: PublishPacket) -> PublishPacket {
        guard self.serverTopicAliasMaximum > 0, publish.properties.topicAlias == nil else { return publish }
        var packet = publish
        if let alias = self.outgoingAliases[packet.topic] {
            packet.topic = ""
            packet.properties.topicAlias = alias
        } else if self.outgoingAliases.count < Int(self.serverTopicAliasMaximum) {
            let alias = UInt16(self.outgoingAliases.count + 1)
            self.outgoingAliases[packet.topic] = alias
            packet.properties.topicAlias = alias
        }
        return packet
    }
}

extension MQTTClientStateMachine: Sendable where Waiter: Sendable {}
extension MQTTClientStateMachine.Response: Equatable {}
extension MQTTClientStateMachine.Action: Equatable where Waiter: Equatable {}
extension MQTTClientStateMachine.Phase: Sendable where Waiter: Sendable {}
extension MQTTClientStateMachine.Outgoing: Sendable where Waiter: Sendable {}
extension MQTTClientStateMachine.OutgoingPublish: Sendable where Waiter: Sendable {}
extension MQTTClientStateMachine.QueuedPublish: Sendable where Waiter: Sendable {}
