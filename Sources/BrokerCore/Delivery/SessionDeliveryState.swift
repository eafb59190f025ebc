import DequeModule
import MQTTCodec
import NIOCore

/// The delivery side of one session: messages waiting to be sent, QoS 1/2 messages in flight to
/// the client, and the QoS 2 packet identifiers received from the client that await PUBREL.
///
/// A pure value: the broker keeps it behind the session's lock, publishers on any thread
/// `enqueue`, and the connection that owns the session moves messages into flight on its own
/// event loop. It outlives connections, which is what makes a persistent session resume exactly
/// where it stopped.
public struct SessionDeliveryState: Sendable {
    /// Messages not yet sent, oldest first.
    public private(set) var queue: Deque<Delivery> = []
    /// QoS 1/2 messages sent and not completely acknowledged, in the order they were first sent.
    public private(set) var inflight: Deque<InflightDelivery> = []
    /// QoS 2 packet identifiers received from the client, PUBREC sent, PUBREL outstanding.
    public private(set) var incomingQoS2: Set<UInt16> = []
    /// Restored identifiers whose message Kafka may not have: the broker stopped before Kafka
    /// acknowledged it.
    private var restoredAwaitingKafka: Set<UInt16> = []
    /// The bound of `queue`; see `enqueue`.
    public var maximumQueued: Int

    private var packetIdentifiers = PacketIdentifierAllocator()

    /// When set, every change to stored deliveries (those with a `storageID`) and to the incoming
    /// QoS 2 identifiers is recorded in `changes`, for the durable store. Set for persistent
    /// sessions when the broker has a store.
    public var recordsChanges = false
    /// Recorded changes, oldest first; see `takeChanges`.
    public private(set) var changes: [DeliveryStateChange] = []
    /// Reports on bridge deliveries (those carrying a `HandOff`) that this state took or dropped
    /// since the last `takeHandOffSignals`; the caller fires them once its lock is released.
    public private(set) var handOffSignals: [HandOffSignal] = []

    public init(maximumQueued: Int) {
        self.maximumQueued = maximumQueued
    }

    /// Returns and clears the recorded changes.
    public mutating func takeChanges() -> [DeliveryStateChange] {
        guard !changes.isEmpty else { return [] }
        defer { changes.removeAll(keepingCapacity: true) }
        return changes
    }

    /// Returns and clears the recorded hand-off reports.
    public mutating func takeHandOffSignals() -> [HandOffSignal] {
        guard !handOffSignals.isEmpty else { return [] }
        defer { handOffSignals.removeAll() }
        return handOffSignals
    }

    public var isIdle: Bool { queue.isEmpty && inflight.isEmpty }

    // MARK: Outgoing

    /// Queues a delivery. When the queue is full the new delivery is refused (drop-newest): the
    /// messages already queued keep their order, and the caller counts the drop.
    public mutating func enqueue(_ delivery: Delivery) -> Bool {
        guard queue.count < maximumQueued else { return false }
        queue.append(delivery)
        if recordsChanges, delivery.storageID != nil {
            changes.append(.queued(delivery))
        }
        return true
    }

    /// Moves queued messages into flight, oldest first, while fewer than `window` QoS 1/2
    /// messages are in flight (the client's Receive Maximum, MQTT-3.3.4-7). QoS 0 messages need
    /// no window but wait behind a QoS 1/2 message that does, so the order of the topic holds.
    /// Messages that expired before being sent are discarded (MQTT-3.3.2-5); `expired` counts them.
    public mutating func takeSendable(
        window: Int,
        now: NIODeadline,
        limit: Int = .max,
        into sendable: inout [OutgoingPublish]
    ) -> (taken: Int, expired: Int) {
        var taken = 0
        var expired = 0
        while taken < limit, let next = queue.first {
            if let expiry = next.message.expiry, expiry.remainingInterval(at: now) == nil {
                queue.removeFirst()
                expired += 1
                record(.finished(storageID: next.storageID))
                signal(next.handOff, taken: false)
                continue
            }
            if next.qos == .atMostOnce {
                queue.removeFirst()
                // QoS 0 is handed off as it goes to the connection, which writes it right away.
                signal(next.handOff, taken: true)
                sendable.append(OutgoingPublish(delivery: next, packetID: nil, dup: false))
                taken += 1
                continue
            }
            guard inflight.count < window, let packetID = packetIdentifiers.allocate() else { break }
            queue.removeFirst()
            let phase: InflightDelivery.Phase = next.qos == .atLeastOnce ? .awaitingPuback : .awaitingPubrec
            inflight.append(InflightDelivery(packetID: packetID, delivery: next, phase: phase))
            record(.inflight(storageID: next.storageID, packetID: packetID, phase: phase))
            sendable.append(OutgoingPublish(delivery: next, packetID: packetID, dup: false))
            taken += 1
        }
        return (taken, expired)
    }

    /// PUBACK received. Returns false when no QoS 1 message with that identifier is in flight.
    public mutating func acknowledgePuback(_ packetID: UInt16) -> Bool {
        guard let index = inflightIndex(of: packetID), inflight[index].phase == .awaitingPuback else { return false }
        finish(at: index, taken: true)
        return true
    }

    /// Forgets an in-flight message that could not be sent (too large for the client's Maximum
    /// Packet Size): MQTT-3.1.2-25 says to behave as if it was delivered.
    public mutating func abandonInflight(_ packetID: UInt16) {
        guard let index = inflightIndex(of: packetID) else { return }
        finish(at: index, taken: false)
    }

    /// What to do after a PUBREC.
    public enum PubrecOutcome: Sendable, Hashable {
        /// Send PUBREL for the identifier (also when a PUBREC is repeated).
        case sendPubrel
        /// The client refused the message with a failure code; the flow ends here (MQTT 5.0 §4.3.3).
        case flowEnded
        /// No QoS 2 message with this identifier is in flight: v5 answers PUBREL 0x92.
        case unknownPacketID
    }

    public mutating func acknowledgePubrec(_ packetID: UInt16, reasonCode: MQTTReasonCode) -> PubrecOutcome {
        guard let index = inflightIndex(of: packetID) else { return .unknownPacketID }
        switch inflight[index].phase {
        case .awaitingPuback:
            return .unknownPacketID
        case .awaitingPubrec:
            if reasonCode.isFailure {
                finish(at: index, taken: false)
                return .flowEnded
            }
            inflight[index].phase = .awaitingPubcomp
            // PUBREC: the client has the message; what is left (PUBREL/PUBCOMP) only releases
            // the packet identifier, so this is where a QoS 2 delivery is handed off.
            signal(inflight[index].delivery.handOff, taken: true)
            inflight[index].delivery.handOff = nil
            let change = DeliveryStateChange.inflight(
                storageID: inflight[index].delivery.storageID,
                packetID: packetID,
                phase: .awaitingPubcomp
            )
            record(change)
            return .sendPubrel
        case .awaitingPubcomp:
            return .sendPubrel
        }
    }

    /// PUBCOMP received. Returns false when no PUBREL with that identifier is outstanding.
    public mutating func acknowledgePubcomp(_ packetID: UInt16) -> Bool {
        guard let index = inflightIndex(of: packetID), inflight[index].phase == .awaitingPubcomp else { return false }
        finish(at: index, taken: true)
        return true
    }

    /// Everything a reconnecting client must receive again before new messages, in the original
    /// order: unacknowledged PUBLISHes with DUP set, and PUBRELs for messages it already received
    /// (MQTT-4.4.0-1, MQTT-3.3.1-1).
    public func resendOnReconnect() -> [Resend] {
        inflight.map { entry in
            switch entry.phase {
            case .awaitingPuback, .awaitingPubrec:
                .publish(OutgoingPublish(delivery: entry.delivery, packetID: entry.packetID, dup: true))
            case .awaitingPubcomp:
                .pubrel(packetID: entry.packetID)
            }
        }
    }

    /// Ends the session's delivery state: returns the deliveries the client never got (queued,
    /// or in flight without PUBREC), oldest first, so shared-subscription ones can go to another
    /// member of their group (MQTT 5.0 §4.8.2). Their `handOff`s are the caller's to report.
    public mutating func removeUndelivered() -> [Delivery] {
        var undelivered: [Delivery] = []
        undelivered.reserveCapacity(inflight.count + queue.count)
        for entry in inflight where entry.phase != .awaitingPubcomp {
            undelivered.append(entry.delivery)
        }
        undelivered.append(contentsOf: queue)
        inflight.removeAll()
        queue.removeAll()
        packetIdentifiers = PacketIdentifierAllocator()
        return undelivered
    }

    /// Drops queued QoS 0 messages; used when the client goes offline and the broker does not
    /// keep QoS 0 messages for offline sessions. Returns how many were dropped.
    public mutating func removeQueuedQoS0() -> Int {
        let before = queue.count
        for delivery in queue where delivery.qos == .atMostOnce {
            signal(delivery.handOff, taken: false)
        }
        queue.removeAll { $0.qos == .atMostOnce }
        return before - queue.count
    }

    // MARK: Incoming QoS 2

    /// A QoS 2 PUBLISH arrived. Returns true when it is new and must be routed; false when it is a
    /// re-delivery of one already received (PUBREC was sent, PUBREL not yet seen), which must not
    /// be routed again (MQTT 5.0 §4.3.3, Method B).
    ///
    /// - Parameter awaitingKafka: a Kafka mapping matched the message; the stored identifier is
    ///   marked until `forwardedQoS2(_:)`.
    public mutating func receiveQoS2(_ packetID: UInt16, awaitingKafka: Bool = false) -> Bool {
        guard incomingQoS2.insert(packetID).inserted else { return false }
        if recordsChanges {
            changes.append(
                awaitingKafka ? .incomingQoS2ReceivedAwaitingKafka(packetID) : .incomingQoS2Received(packetID)
            )
        }
        return true
    }

    /// Kafka (or the spool) has the QoS 2 message received under `packetID`.
    public mutating func forwardedQoS2(_ packetID: UInt16) {
        if recordsChanges, incomingQoS2.contains(packetID) { changes.append(.incomingQoS2Forwarded(packetID)) }
    }

    /// A re-sent QoS 2 PUBLISH after a restart: true when the broker stopped before Kafka had
    /// the first copy, so this one must go to Kafka (and only there: local subscribers got the
    /// first). Answers true once per identifier.
    public mutating func takeRestoredAwaitingKafka(_ packetID: UInt16) -> Bool {
        restoredAwaitingKafka.remove(packetID) != nil
    }

    /// PUBREL arrived. Returns false when the identifier was unknown (v5 answers PUBCOMP 0x92).
    public mutating func releaseQoS2(_ packetID: UInt16) -> Bool {
        restoredAwaitingKafka.remove(packetID)
        guard incomingQoS2.remove(packetID) != nil else { return false }
        if recordsChanges { changes.append(.incomingQoS2Released(packetID)) }
        return true
    }

    /// How many QoS 2 PUBLISHes of the client await PUBREL: checked against the Receive Maximum
    /// the broker announced (MQTT-3.3.4-9).
    public var incomingQoS2Count: Int { incomingQoS2.count }

    // MARK: Private

    private func inflightIndex(of packetID: UInt16) -> Int? {
        // Acknowledgements nearly always arrive in sending order, so the front is checked first.
        inflight.firstIndex { $0.packetID == packetID }
    }

    private mutating func finish(at index: Int, taken: Bool) {
        signal(inflight[index].delivery.handOff, taken: taken)
        packetIdentifiers.release(inflight[index].packetID)
        let change = DeliveryStateChange.finished(storageID: inflight[index].delivery.storageID)
        record(change)
        inflight.remove(at: index)
    }

    /// The client went away and the session stays: the bridge deliveries it still holds are its
    /// now (an offline session's queue is what the configuration made durable, as when a message
    /// arrives for an offline session), so they report as taken instead of holding their Kafka
    /// offsets until the session expires.
    public mutating func handOffKeptDeliveries() {
        for index in queue.indices where queue[index].handOff != nil {
            signal(queue[index].handOff, taken: true)
            queue[index].handOff = nil
        }
        for index in inflight.indices where inflight[index].delivery.handOff != nil {
            signal(inflight[index].delivery.handOff, taken: true)
            inflight[index].delivery.handOff = nil
        }
    }

    private mutating func signal(_ handOff: HandOff?, taken: Bool) {
        guard let handOff else { return }
        handOffSignals.append(HandOffSignal(handOff: handOff, taken: taken))
    }

    /// Records a change of a stored delivery; deliveries without a `storageID` are not stored.
    private mutating func record(_ change: DeliveryStateChange?) {
        guard recordsChanges, let change else { return }
        changes.append(change)
    }

}

// MARK: - Restoring from the durable store

extension SessionDeliveryState {
    /// Puts back what a persistent session held when the broker stopped: in-flight deliveries
    /// keep their packet identifiers and phases (MQTT-4.4.0-1 resends them with DUP), queued
    /// ones their order, and the QoS 2 identifiers still awaiting PUBREL stay known, so a
    /// re-sent PUBLISH is not routed twice. The queue bound does not apply to restored messages.
    public mutating func restore(
        inflight restoredInflight: [InflightDelivery],
        queued: [Delivery],
        incomingQoS2 ids: [UInt16],
        incomingQoS2AwaitingKafka awaiting: [UInt16] = []
    ) {
        for entry in restoredInflight where packetIdentifiers.markInUse(entry.packetID) {
            inflight.append(entry)
        }
        queue.append(contentsOf: queued)
        incomingQoS2.formUnion(ids)
        incomingQoS2.formUnion(awaiting)
        restoredAwaitingKafka.formUnion(awaiting)
    }
}
