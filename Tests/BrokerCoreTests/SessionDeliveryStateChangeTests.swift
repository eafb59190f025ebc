import BrokerCore
import MQTTCodec
import NIOCore
import Testing

/// `#expect` cannot expand a mutating call; this evaluates it first.
private func evaluated<T>(_ value: T) -> T { value }

/// What the delivery state tells the durable store.
@Suite struct SessionDeliveryStateChangeTests {
    private let now = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func delivery(_ topic: String, qos: QoS, storageID: Int64?) -> Delivery {
        let message = ApplicationMessage(topic: topic, payload: ByteBuffer(string: topic), qos: qos, retain: false)
        var delivery = Delivery(message: message, qos: qos, retain: false)
        delivery.storageID = storageID
        return delivery
    }

    /// The changes as short strings, so a whole sequence is compared at once.
    private func describe(_ changes: [DeliveryStateChange]) -> [String] {
        changes.map { change in
            switch change {
            case .queued(let delivery): "queued \(delivery.storageID ?? -1)"
            case .movedInFlight(let id, let packetID, let phase): "inflight \(id) #\(packetID) \(phase)"
            case .removed(let id): "removed \(id)"
            case .incomingQoS2Received(let packetID): "qos2 in \(packetID)"
            case .incomingQoS2ReceivedAwaitingKafka(let packetID): "qos2 in \(packetID) awaiting kafka"
            case .incomingQoS2Forwarded(let packetID): "qos2 forwarded \(packetID)"
            case .incomingQoS2Released(let packetID): "qos2 out \(packetID)"
            }
        }
    }

    @Test func aQoS2FlowIsRecordedStepByStep() {
        var state = SessionDeliveryState(maximumQueued: 10)
        state.recordsChanges = true
        _ = state.enqueue(delivery("a", qos: .exactlyOnce, storageID: 1))
        _ = state.enqueue(delivery("zero", qos: .atMostOnce, storageID: nil))
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        let packetID = out[0].packetID!
        _ = state.acknowledgePubrec(packetID, reasonCode: .success)
        _ = state.acknowledgePubcomp(packetID)
        #expect(
            describe(state.takeChanges()) == [
                "queued 1", "inflight 1 #\(packetID) awaitingPubrec", "inflight 1 #\(packetID) awaitingPubcomp",
                "removed 1",
            ]
        )
        #expect(state.takeChanges().isEmpty)
    }

    @Test func incomingQoS2IdentifiersAreRecordedOnce() {
        var state = SessionDeliveryState(maximumQueued: 10)
        state.recordsChanges = true
        #expect(evaluated(state.receiveQoS2(9)))
        #expect(!evaluated(state.receiveQoS2(9)))  // a re-sent PUBLISH changes nothing
        #expect(evaluated(state.releaseQoS2(9)))
        #expect(!evaluated(state.releaseQoS2(9)))
        #expect(describe(state.takeChanges()) == ["qos2 in 9", "qos2 out 9"])
    }

    @Test func nothingIsRecordedUnlessAsked() {
        var state = SessionDeliveryState(maximumQueued: 10)
        _ = state.enqueue(delivery("a", qos: .atLeastOnce, storageID: 1))
        _ = state.receiveQoS2(1)
        #expect(state.takeChanges().isEmpty)
    }

    @Test func restoredInflightMessagesAreResentWithTheirIdentifiers() {
        var state = SessionDeliveryState(maximumQueued: 10)
        state.restore(
            inflight: [
                InflightDelivery(
                    packetID: 7,
                    delivery: delivery("a", qos: .atLeastOnce, storageID: 1),
                    phase: .awaitingPuback
                ),
                InflightDelivery(
                    packetID: 8,
                    delivery: delivery("b", qos: .exactlyOnce, storageID: 2),
                    phase: .awaitingPubcomp
                ),
            ],
            queued: [delivery("c", qos: .atLeastOnce, storageID: 3)],
            incomingQoS2: [4]
        )
        let resends = state.resendOnReconnect().map { resend -> String in
            switch resend {
            case .publish(let publish): "publish #\(publish.packetID ?? 0) dup=\(publish.dup)"
            case .pubrel(let packetID): "pubrel #\(packetID)"
            }
        }
        #expect(resends == ["publish #7 dup=true", "pubrel #8"])
        #expect(!evaluated(state.receiveQoS2(4)))  // still awaiting PUBREL: not routed twice
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: 10, now: now, into: &out)
        #expect(out.map(\.delivery.message.topic) == ["c"])
        #expect(out.first?.packetID != 7 && out.first?.packetID != 8)
    }
}
