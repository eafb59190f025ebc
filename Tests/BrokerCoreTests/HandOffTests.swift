import BrokerCore
import MQTTCodec
import NIOCore
import Synchronization
import Testing

/// `#expect` cannot expand a mutating call; this evaluates it first.
private func evaluated<T>(_ value: T) -> T { value }

/// Collects the outcome a `HandOff` reports.
private final class OutcomeBox: Sendable {
    let outcomes = Mutex<[HandOff.Outcome]>([])
    var all: [HandOff.Outcome] { outcomes.withLock { $0 } }

    func handOff() -> HandOff {
        HandOff { outcome in self.outcomes.withLock { $0.append(outcome) } }
    }
}

@Suite struct HandOffTests {
    private let now = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func delivery(_ qos: QoS, handOff: HandOff?, expiry: UInt32? = nil) -> Delivery {
        let message = ApplicationMessage(
            topic: "t",
            payload: ByteBuffer(string: "x"),
            qos: qos,
            retain: false,
            expiry: expiry.map { MessageExpiry(interval: $0, receivedAt: now) }
        )
        var delivery = Delivery(message: message, qos: qos, retain: false)
        delivery.handOff = handOff
        return delivery
    }

    private func fire(_ state: inout SessionDeliveryState) {
        for signal in state.takeHandOffSignals() { signal.fire() }
    }

    @Test func completesOnceAfterRoutingAndEverySession() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        handOff.expect()
        handOff.expect()
        handOff.handed()
        handOff.dropped()
        #expect(box.all.isEmpty)  // routing not finished yet
        handOff.routed()
        #expect(box.all == [HandOff.Outcome(handed: 1, dropped: 1, retained: false)])
    }

    @Test func nothingMatchedReachesNobody() {
        let box = OutcomeBox()
        box.handOff().routed()
        #expect(box.all == [HandOff.Outcome(handed: 0, dropped: 0, retained: false)])
        #expect(box.all.first?.reachedNobody == true)
    }

    @Test func aRetainedMessageReachedSomeone() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        handOff.expect()
        handOff.retainedStored(true)
        handOff.routed()
        #expect(box.all.first?.retained == true)
        #expect(box.all.first?.reachedNobody == false)
    }

    @Test func qos1IsHandedOffAtPuback() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        var state = SessionDeliveryState(maximumQueued: 10)
        handOff.expect()
        _ = state.enqueue(delivery(.atLeastOnce, handOff: handOff))
        handOff.routed()
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        fire(&state)
        #expect(box.all.isEmpty)  // sent, not acknowledged
        #expect(evaluated(state.acknowledgePuback(out[0].packetID!)))
        fire(&state)
        #expect(box.all == [HandOff.Outcome(handed: 1, dropped: 0, retained: false)])
    }

    @Test func qos2IsHandedOffAtPubrecAndOnlyOnce() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        var state = SessionDeliveryState(maximumQueued: 10)
        handOff.expect()
        _ = state.enqueue(delivery(.exactlyOnce, handOff: handOff))
        handOff.routed()
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        let packetID = out[0].packetID!
        #expect(evaluated(state.acknowledgePubrec(packetID, reasonCode: .success)) == .sendPubrel)
        fire(&state)
        #expect(box.all == [HandOff.Outcome(handed: 1, dropped: 0, retained: false)])
        #expect(evaluated(state.acknowledgePubcomp(packetID)))
        #expect(state.takeHandOffSignals().isEmpty)
    }

    @Test func aRefusingPubrecIsADrop() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        var state = SessionDeliveryState(maximumQueued: 10)
        handOff.expect()
        _ = state.enqueue(delivery(.exactlyOnce, handOff: handOff))
        handOff.routed()
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        _ = state.acknowledgePubrec(out[0].packetID!, reasonCode: .unspecifiedError)
        fire(&state)
        #expect(box.all == [HandOff.Outcome(handed: 0, dropped: 1, retained: false)])
    }

    @Test func qos0IsHandedOffWhenTakenForSending() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        var state = SessionDeliveryState(maximumQueued: 10)
        handOff.expect()
        _ = state.enqueue(delivery(.atMostOnce, handOff: handOff))
        handOff.routed()
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        fire(&state)
        #expect(box.all == [HandOff.Outcome(handed: 1, dropped: 0, retained: false)])
    }

    @Test func expiredAbandonedAndOfflineQoS0AreDrops() {
        let box = OutcomeBox()
        let handOff = box.handOff()
        var state = SessionDeliveryState(maximumQueued: 10)
        for _ in 0..<3 { handOff.expect() }
        _ = state.enqueue(delivery(.atLeastOnce, handOff: handOff, expiry: 1))
        _ = state.enqueue(delivery(.atLeastOnce, handOff: handOff))
        _ = state.enqueue(delivery(.atMostOnce, handOff: nil))
        handOff.routed()
        var out: [OutgoingPublish] = []
        // Two seconds later the first has expired; the second goes out and is abandoned.
        _ = state.takeSendable(window: 10, now: now + .seconds(2), into: &out)
        state.abandonInflight(out[0].packetID!)
        var offline = SessionDeliveryState(maximumQueued: 10)
        _ = offline.enqueue(delivery(.atMostOnce, handOff: handOff))
        #expect(offline.removeQueuedQoS0() == 1)
        fire(&state)
        fire(&offline)
        #expect(box.all == [HandOff.Outcome(handed: 0, dropped: 3, retained: false)])
    }

    @Test func deliveriesWithoutAHandOffRecordNothing() {
        var state = SessionDeliveryState(maximumQueued: 10)
        _ = state.enqueue(delivery(.atLeastOnce, handOff: nil))
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        _ = state.acknowledgePuback(out[0].packetID!)
        #expect(state.handOffSignals.isEmpty)
    }
}

extension HandOffTests {
    /// A persistent session without a store whose client leaves: what it still holds (in flight
    /// and queued) is its own from then on, and the Kafka offsets need not wait for its expiry.
    @Test func deliveriesASessionKeepsWhenItsClientLeavesAreHandedOff() {
        let box = OutcomeBox()
        var state = SessionDeliveryState(maximumQueued: 10)
        for _ in 0..<2 {
            let handOff = box.handOff()
            handOff.expect()
            _ = state.enqueue(delivery(.atLeastOnce, handOff: handOff))
            handOff.routed()
        }
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 1, now: now, into: &out)  // one in flight, one queued
        fire(&state)
        #expect(box.all.isEmpty)
        state.handOffKeptDeliveries()
        fire(&state)
        #expect(box.all.count == 2)
        #expect(box.all.allSatisfy { $0.handed == 1 })
        // Reported once: a later PUBACK for the in-flight one says nothing more.
        #expect(evaluated(state.acknowledgePuback(out[0].packetID!)))
        #expect(state.takeHandOffSignals().isEmpty)
    }
}
