import Atomics

/// Follows one message the Kafka → MQTT bridge routed until every session it reached took it
/// over, then reports once how many took it and how many did not.
///
/// A session "takes" a delivery when the broker no longer needs the bridge to keep it: QoS 0
/// taken from the queue to be written to the client, QoS 1 acknowledged (PUBACK), QoS 2 received
/// (PUBREC: from then on the client owns the message and only PUBREL/PUBCOMP remain), or written
/// to the durable store as part of a persistent session's queue. A session that ends after it
/// took the delivery into its state counts as having taken it. Normal publishes carry no
/// `HandOff` and pay nothing for it.
public final class HandOff: Sendable {
    /// What became of the message.
    public struct Outcome: Sendable, Hashable {
        /// Sessions that took the message.
        public var handed: Int
        /// Sessions that matched but did not take it (queue full, offline and QoS 0, expired,
        /// refused by the client, too large for the client, the session ended meanwhile).
        public var dropped: Int
        /// Whether the message is now the topic's retained message (written to the store).
        public var retained: Bool

        public init(handed: Int, dropped: Int, retained: Bool) {
            self.handed = handed
            self.dropped = dropped
            self.retained = retained
        }

        /// Nobody took it and it was not retained: no subscriber may receive it.
        public var reachedNobody: Bool { handed == 0 && !retained }
    }

    /// Parts still outstanding; starts at 1 for the routing itself, released by `routed()`.
    private let pending = ManagedAtomic<Int>(1)
    private let handedCount = ManagedAtomic<Int>(0)
    private let droppedCount = ManagedAtomic<Int>(0)
    private let retainedFlag = ManagedAtomic<Bool>(false)
    private let completion: @Sendable (Outcome) -> Void

    /// - Parameter completion: called once, on whichever thread finishes the last part.
    public init(completion: @escaping @Sendable (Outcome) -> Void) {
        self.completion = completion
    }

    /// One more session (or the retained store) will report.
    public func expect() {
        pending.wrappingIncrement(ordering: .relaxed)
    }

    /// A session took the message.
    public func handed() {
        handedCount.wrappingIncrement(ordering: .relaxed)
        finishOne()
    }

    /// A session did not take the message.
    public func dropped() {
        droppedCount.wrappingIncrement(ordering: .relaxed)
        finishOne()
    }

    /// The retained store holds the message durably (`retained` true), or could not store it.
    public func retainedStored(_ stored: Bool) {
        if stored { retainedFlag.store(true, ordering: .relaxed) }
        finishOne()
    }

    /// Every matching session was offered the message; the outcome waits for their reports.
    public func routed() {
        finishOne()
    }

    private func finishOne() {
        // The acquiring-releasing decrement orders every counter update before the last one.
        guard pending.loadThenWrappingDecrement(ordering: .acquiringAndReleasing) == 1 else { return }
        completion(
            Outcome(
                handed: handedCount.load(ordering: .relaxed),
                dropped: droppedCount.load(ordering: .relaxed),
                retained: retainedFlag.load(ordering: .relaxed)
            )
        )
    }
}

/// A session's report on a delivery that carried a `HandOff`, recorded under the session's lock
/// and fired after it is released.
public struct HandOffSignal: Sendable {
    public var handOff: HandOff
    /// Whether the session took the delivery.
    public var taken: Bool

    public init(handOff: HandOff, taken: Bool) {
        self.handOff = handOff
        self.taken = taken
    }

    public func fire() {
        if taken { handOff.handed() } else { handOff.dropped() }
    }
}
