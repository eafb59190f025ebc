import Atomics
import BrokerCore
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Store

/// A client's session: the state that outlives its network connections (MQTT 5.0 §4.1).
///
/// Publishers on any event loop `enqueue` deliveries; the connection the session is attached to
/// drains them on its own event loop. One lock guards the delivery state, the attachment and the
/// pending Will, so taking a session over from another connection is a single swap, and a
/// delivery can never be lost between the old and the new connection.
///
/// With a durable store, a persistent session (Session Expiry Interval > 0) mirrors every change
/// into the store while it holds the lock, so the store sees each session's changes in the order
/// they happened; see `SessionStorage.swift`.
final class Session: Hashable, @unchecked Sendable {
    let clientID: String
    let store: DurableStore?
    /// Read by the router without the lock to prefer online members of shared subscriptions.
    private let online = ManagedAtomic<Bool>(false)

    let lock = NIOLock()
    // Everything below is guarded by `lock`.
    var delivery: SessionDeliveryState
    private var attachment: SessionAttachment?
    /// Set while a drain task is queued on the attached connection's event loop, so a burst of
    /// deliveries costs one cross-thread wake-up, not one per message.
    private var drainScheduled = false
    /// Incremented on every attach; timers compare it to learn whether the client came back.
    private var generation: UInt64 = 0
    var expiryInterval: UInt32 = 0
    private var pendingWill: PendingWill?
    private var ended = false
    private let queueQoS0WhileOffline: Bool
    /// Whether changes are mirrored into the store now (a store, and an expiry above 0).
    var isStored = false
    /// Whether the store holds a record of this session that its end must delete.
    var hasStoredRecord = false

    init(clientID: String, maximumQueued: Int, queueQoS0WhileOffline: Bool, store: DurableStore?) {
        self.clientID = clientID
        self.delivery = SessionDeliveryState(maximumQueued: maximumQueued)
        self.queueQoS0WhileOffline = queueQoS0WhileOffline
        self.store = store
    }

    /// A persistent session read back from the store, detached, as its client left it.
    init(
        recovered: RecoveredSession,
        maximumQueued: Int,
        queueQoS0WhileOffline: Bool,
        store: DurableStore,
        wallClockMilliseconds: Int64,
        now: NIODeadline
    ) {
        self.clientID = recovered.clientID
        self.queueQoS0WhileOffline = queueQoS0WhileOffline
        self.store = store
        self.expiryInterval = recovered.expiryInterval
        self.isStored = true
        self.hasStoredRecord = true
        var state = SessionDeliveryState(maximumQueued: maximumQueued)
        var inflight: [InflightDelivery] = []
        var queued: [Delivery] = []
        var expired: [StoreOperation] = []
        for stored in recovered.deliveries {
            guard let delivery = stored.delivery(wallClockMilliseconds: wallClockMilliseconds, monotonicNow: now) else {
                expired.append(.deleteDelivery(id: stored.id))
                continue
            }
            if let packetID = stored.packetID, let phase = stored.phase {
                inflight.append(InflightDelivery(packetID: packetID, delivery: delivery, phase: phase.inflightPhase))
            } else {
                queued.append(delivery)
            }
        }
        state.restore(
            inflight: inflight,
            queued: queued,
            incomingQoS2: recovered.incomingQoS2,
            incomingQoS2AwaitingKafka: recovered.incomingQoS2AwaitingKafka
        )
        state.recordsChanges = true
        self.delivery = state
        store.submit(expired)
    }

    static func == (lhs: Session, rhs: Session) -> Bool { lhs === rhs }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    var isOnline: Bool { online.load(ordering: .relaxed) }

    // MARK: Deliveries from any thread

    enum EnqueueOutcome {
        case queued
        case droppedQueueFull
        case droppedOffline
        case droppedSessionEnded
    }

    /// Queues a delivery and, when a connection is attached and no drain is pending, schedules
    /// one on that connection's event loop. A QoS 1/2 delivery to a stored session is written to
    /// the store; `ticket` is raised to the ticket of that write.
    func enqueue(_ newDelivery: Delivery, ticket: inout StoreTicket) -> EnqueueOutcome {
        let (outcome, drainOn, stored, handedNow): (EnqueueOutcome, SessionAttachment?, StoreTicket, HandOff?) =
            lock.withLock {
                if ended { return (.droppedSessionEnded, nil, .none, nil) }
                if attachment == nil && newDelivery.qos == .atMostOnce && !queueQoS0WhileOffline {
                    return (.droppedOffline, nil, .none, nil)
                }
                var newDelivery = newDelivery
                if isStored, newDelivery.qos != .atMostOnce, let store {
                    newDelivery.storageID = store.makeDeliveryID()
                }
                // A bridge delivery is the session's once it is in the store (a stored session
                // sends it after any restart) or, without a store, in an offline session's queue
                // (memory is all the durability configured). Otherwise the connection reports it.
                var handedNow: HandOff?
                if let handOff = newDelivery.handOff, newDelivery.storageID != nil || attachment == nil {
                    newDelivery.handOff = nil
                    handedNow = handOff
                }
                guard delivery.enqueue(newDelivery) else { return (.droppedQueueFull, nil, .none, nil) }
                let stored = submitDeliveryChanges()
                guard let attachment, !drainScheduled else { return (.queued, nil, stored, handedNow) }
                drainScheduled = true
                return (.queued, attachment, stored, handedNow)
            }
        ticket.include(stored)
        if let handedNow { handOff(handedNow, whenDurable: stored) }
        drainOn?.scheduleDrain()
        return outcome
    }

    /// Reports a bridge delivery as taken once the store write `ticket` committed.
    private func handOff(_ handOff: HandOff, whenDurable ticket: StoreTicket) {
        guard ticket > .none, let store else {
            handOff.handed()
            return
        }
        store.whenCommitted(ticket) { result in
            switch result {
            case .success: handOff.handed()
            case .failure: handOff.dropped()
            }
        }
    }

    // MARK: The attached connection

    struct Attached {
        var generation: UInt64
        /// The connection this one replaced, which must be told it was taken over.
        var previous: SessionAttachment?
        /// The Will a previous connection left waiting for its delay; cancelled by this attach
        /// (MQTT 5.0 §3.1.3.2.2: not sent if the client reconnects in time).
        var cancelledWill: Scheduled<Void>?
        /// The store write that records the session; CONNACK waits for it.
        var ticket: StoreTicket
    }

    func attach(_ newAttachment: SessionAttachment, expiryInterval: UInt32) -> Attached {
        let attached: Attached = lock.withLock {
            let ticket = storeAttach(expiryInterval: expiryInterval)
            let previous = attachment
            attachment = newAttachment
            generation &+= 1
            self.expiryInterval = expiryInterval
            drainScheduled = false
            let will = pendingWill?.task
            pendingWill = nil
            return Attached(generation: generation, previous: previous, cancelledWill: will, ticket: ticket)
        }
        online.store(true, ordering: .relaxed)
        attached.cancelledWill?.cancel()
        return attached
    }

    struct Detached {
        /// To hand to expiry and Will timers.
        var generation: UInt64
        var expiryInterval: UInt32
        /// Queued QoS 0 messages dropped because offline sessions do not keep them.
        var droppedQoS0: Int
    }

    /// Detaches the connection if it is still the attached one; nil when another connection
    /// took the session over meanwhile.
    func detach(_ connectionID: ObjectIdentifier) -> Detached? {
        let (detached, signals): (Detached?, [HandOffSignal]) = lock.withLock {
            guard attachment?.connectionID == connectionID else { return (nil, []) }
            attachment = nil
            drainScheduled = false
            storeDetach()
            let dropped = queueQoS0WhileOffline ? 0 : delivery.removeQueuedQoS0()
            // A session that stays keeps its deliveries; one that ends now reports (or re-routes
            // shared deliveries) when it ends.
            if expiryInterval > 0 { delivery.handOffKeptDeliveries() }
            let detached = Detached(generation: generation, expiryInterval: expiryInterval, droppedQoS0: dropped)
            return (detached, delivery.takeHandOffSignals())
        }
        if detached != nil { online.store(false, ordering: .relaxed) }
        for signal in signals { signal.fire() }
        return detached
    }

    /// The attached connection, which a Clean Start of another connection is about to take over.
    func currentAttachmentForTakeover() -> SessionAttachment? {
        lock.withLock { attachment }
    }

    /// Runs `body` on the delivery state if `connectionID` is still attached; nil otherwise.
    ///
    /// - Parameter startingDrain: set by the drain itself: the drain flag is cleared first, so
    ///   deliveries arriving while the connection sends this batch schedule the next drain.
    ///   - ticket: raised to the store write of the changes `body` made, for a stored session.
    func withDeliveryState<Result>(
        attachedTo connectionID: ObjectIdentifier,
        startingDrain: Bool = false,
        ticket: inout StoreTicket,
        _ body: (inout SessionDeliveryState) -> Result
    ) -> Result? {
        let outcome: (Result, StoreTicket, [HandOffSignal])? = lock.withLock {
            guard attachment?.connectionID == connectionID else { return nil }
            if startingDrain { drainScheduled = false }
            let result = body(&delivery)
            return (result, submitDeliveryChanges(), delivery.takeHandOffSignals())
        }
        guard let outcome else { return nil }
        ticket.include(outcome.1)
        for signal in outcome.2 { signal.fire() }
        return outcome.0
    }

    /// `withDeliveryState` for changes no acknowledgement waits for.
    func withDeliveryState<Result>(
        attachedTo connectionID: ObjectIdentifier,
        startingDrain: Bool = false,
        _ body: (inout SessionDeliveryState) -> Result
    ) -> Result? {
        var ignored = StoreTicket.none
        return withDeliveryState(attachedTo: connectionID, startingDrain: startingDrain, ticket: &ignored, body)
    }

    /// Changes the expiry interval (v5 DISCONNECT may, MQTT-3.14.2-2 permitting).
    func setExpiryInterval(_ interval: UInt32) {
        lock.withLock {
            expiryInterval = interval
            storeExpiryChange()
        }
    }

    var currentGeneration: UInt64 { lock.withLock { generation } }

    // MARK: Will

    struct PendingWill {
        var message: ApplicationMessage
        var task: Scheduled<Void>?
    }

    /// Keeps a Will until its delay passes, the client reconnects, or the session ends.
    /// Returns false when the session was re-attached or ended meanwhile (then the caller
    /// decides: publish now on end, drop on re-attach).
    func setPendingWill(_ will: ApplicationMessage, ifGeneration expected: UInt64, timer: Scheduled<Void>?) -> Bool {
        lock.withLock {
            guard generation == expected, attachment == nil, !ended else { return false }
            pendingWill = PendingWill(message: will, task: timer)
            return true
        }
    }

    /// Takes the pending Will when its delay has passed and the client did not come back.
    func takePendingWill(ifGeneration expected: UInt64) -> ApplicationMessage? {
        lock.withLock {
            guard generation == expected, attachment == nil else { return nil }
            defer { pendingWill = nil }
            return pendingWill?.message
        }
    }

    // MARK: End

    struct Ending {
        /// Deliveries the client never received, for shared-subscription re-routing.
        var undelivered: [Delivery]
        /// A Will still waiting for its delay: the session end publishes it (MQTT 5.0 §3.1.3.2.2).
        var will: ApplicationMessage?
    }

    /// Ends the session for good if it is still at `generation` and detached (expiry), or
    /// unconditionally when `generation` is nil (Clean Start discarded it).
    func end(ifGeneration expected: UInt64?) -> Ending? {
        let ending: Ending? = lock.withLock {
            if ended { return nil }
            if let expected, generation != expected || attachment != nil { return nil }
            ended = true
            attachment = nil
            storeEnd()
            let will = pendingWill
            pendingWill = nil
            will?.task?.cancel()
            return Ending(undelivered: delivery.removeUndelivered(), will: will?.message)
        }
        online.store(false, ordering: .relaxed)
        return ending
    }

    var isEnded: Bool { lock.withLock { ended } }
}

/// How a session reaches the connection it is attached to.
struct SessionAttachment: Sendable {
    let connectionID: ObjectIdentifier
    let eventLoop: any EventLoop
    let handler: NIOLoopBound<MQTTConnectionHandler>

    init(handler: MQTTConnectionHandler, eventLoop: any EventLoop) {
        self.connectionID = ObjectIdentifier(handler)
        self.eventLoop = eventLoop
        self.handler = NIOLoopBound(handler, eventLoop: eventLoop)
    }

    func scheduleDrain() {
        let handler = self.handler
        eventLoop.execute { handler.value.drainSession() }
    }

    func takeOver(sessionEnded: Bool) {
        let handler = self.handler
        eventLoop.execute { handler.value.sessionTakenOver(sessionEnded: sessionEnded) }
    }
}
