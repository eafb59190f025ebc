import BrokerCore
import MQTTCodec
import NIOCore
import Testing

/// `#expect` cannot expand a mutating call; this evaluates it first.
private func evaluated<T>(_ value: T) -> T { value }

@Suite struct SessionDeliveryStateTests {
    private let now = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    private func delivery(
        _ topic: String = "t",
        qos: QoS,
        expiry: UInt32? = nil,
        receivedAt: NIODeadline? = nil
    ) -> Delivery {
        let message = ApplicationMessage(
            topic: topic,
            payload: ByteBuffer(string: topic),
            qos: qos,
            retain: false,
            expiry: expiry.map { MessageExpiry(interval: $0, receivedAt: receivedAt ?? now) }
        )
        return Delivery(message: message, qos: qos, retain: false)
    }

    private func take(
        _ state: inout SessionDeliveryState,
        window: Int,
        at time: NIODeadline? = nil
    ) -> [OutgoingPublish] {
        var out: [OutgoingPublish] = []
        _ = state.takeSendable(window: window, now: time ?? now, into: &out)
        return out
    }

    @Test func queueIsBoundedAndDropsTheNewestMessage() {
        var state = SessionDeliveryState(maximumQueued: 2)
        #expect(evaluated(state.enqueue(delivery("a", qos: .atLeastOnce))))
        #expect(evaluated(state.enqueue(delivery("b", qos: .atLeastOnce))))
        #expect(!evaluated(state.enqueue(delivery("c", qos: .atLeastOnce))))
        #expect(state.queue.map(\.message.topic) == ["a", "b"])
    }

    @Test func windowLimitsQoS1And2ButNotQoS0() {
        var state = SessionDeliveryState(maximumQueued: 100)
        for topic in ["q0-a", "q1-a", "q1-b", "q2-a"] {
            _ = state.enqueue(
                delivery(
                    topic,
                    qos: topic.hasPrefix("q0") ? .atMostOnce : topic.hasPrefix("q1") ? .atLeastOnce : .exactlyOnce
                )
            )
        }
        let first = take(&state, window: 2)
        #expect(first.map(\.delivery.message.topic) == ["q0-a", "q1-a", "q1-b"])
        #expect(first[0].packetID == nil)
        #expect(first[1].packetID != nil && first[2].packetID != nil && first[1].packetID != first[2].packetID)
        #expect(state.inflight.count == 2)
        #expect(take(&state, window: 2).isEmpty)

        #expect(evaluated(state.acknowledgePuback(first[1].packetID!)))
        let second = take(&state, window: 2)
        #expect(second.map(\.delivery.message.topic) == ["q2-a"])
        #expect(state.inflight.map(\.phase) == [.awaitingPuback, .awaitingPubrec])
    }

    @Test func qos0WaitsBehindABlockedQoS1MessageToKeepOrder() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery("one", qos: .atLeastOnce))
        _ = state.enqueue(delivery("two", qos: .atLeastOnce))
        _ = state.enqueue(delivery("three", qos: .atMostOnce))
        #expect(take(&state, window: 1).map(\.delivery.message.topic) == ["one"])
        #expect(state.queue.map(\.message.topic) == ["two", "three"])
    }

    @Test func expiredMessagesAreDroppedBeforeSending() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery("old", qos: .atLeastOnce, expiry: 5))
        _ = state.enqueue(delivery("fresh", qos: .atLeastOnce, expiry: 60))
        var out: [OutgoingPublish] = []
        let result = state.takeSendable(window: 10, now: now + .seconds(5), into: &out)
        #expect(result.expired == 1)
        #expect(out.map(\.delivery.message.topic) == ["fresh"])
    }

    @Test func pubackForUnknownOrWrongPhaseIsRejected() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery(qos: .exactlyOnce))
        let sent = take(&state, window: 10)
        let id = sent[0].packetID!
        #expect(!evaluated(state.acknowledgePuback(id)))
        #expect(!evaluated(state.acknowledgePuback(id &+ 1)))
        #expect(state.inflight.count == 1)
    }

    @Test func qos2FlowRunsThroughPubrecAndPubcomp() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery(qos: .exactlyOnce))
        let id = take(&state, window: 10)[0].packetID!
        #expect(!evaluated(state.acknowledgePubcomp(id)))
        #expect(evaluated(state.acknowledgePubrec(id, reasonCode: .success)) == .sendPubrel)
        // A repeated PUBREC gets the PUBREL again.
        #expect(evaluated(state.acknowledgePubrec(id, reasonCode: .success)) == .sendPubrel)
        #expect(evaluated(state.acknowledgePubcomp(id)))
        #expect(state.isIdle)
        #expect(evaluated(state.acknowledgePubrec(id, reasonCode: .success)) == .unknownPacketID)
    }

    @Test func failedPubrecEndsTheFlowAndFreesTheWindow() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery(qos: .exactlyOnce))
        _ = state.enqueue(delivery("next", qos: .exactlyOnce))
        let id = take(&state, window: 1)[0].packetID!
        #expect(evaluated(state.acknowledgePubrec(id, reasonCode: .notAuthorized)) == .flowEnded)
        #expect(take(&state, window: 1).map(\.delivery.message.topic) == ["next"])
    }

    @Test func resendOnReconnectKeepsOrderSetsDupAndRepeatsPubrel() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery("a", qos: .atLeastOnce))
        _ = state.enqueue(delivery("b", qos: .exactlyOnce))
        _ = state.enqueue(delivery("c", qos: .exactlyOnce))
        let sent = take(&state, window: 10)
        #expect(evaluated(state.acknowledgePubrec(sent[1].packetID!, reasonCode: .success)) == .sendPubrel)

        let resends = state.resendOnReconnect()
        #expect(resends.count == 3)
        guard case .publish(let first) = resends[0], case .pubrel(let released) = resends[1],
            case .publish(let third) = resends[2]
        else {
            Issue.record("unexpected resend shape \(resends)")
            return
        }
        #expect(first.dup && first.packetID == sent[0].packetID && first.delivery.message.topic == "a")
        #expect(released == sent[1].packetID)
        #expect(third.dup && third.packetID == sent[2].packetID)
    }

    @Test func removeUndeliveredKeepsWhatTheClientNeverGot() {
        var state = SessionDeliveryState(maximumQueued: 100)
        _ = state.enqueue(delivery("acked-by-pubrec", qos: .exactlyOnce))
        _ = state.enqueue(delivery("in-flight", qos: .atLeastOnce))
        _ = state.enqueue(delivery("queued", qos: .atLeastOnce))
        let sent = take(&state, window: 2)
        _ = state.acknowledgePubrec(sent[0].packetID!, reasonCode: .success)
        #expect(evaluated(state.removeUndelivered().map(\.message.topic)) == ["in-flight", "queued"])
        #expect(state.isIdle)
    }

    @Test func packetIdentifiersAreReusedOnlyAfterRelease() {
        var state = SessionDeliveryState(maximumQueued: 70_000)
        for _ in 0..<65_536 { _ = state.enqueue(delivery(qos: .atLeastOnce)) }
        let sent = take(&state, window: 70_000)
        // 65,535 identifiers exist (MQTT-2.2.1-2: never 0); the last message waits.
        #expect(sent.count == 65_535)
        #expect(Set(sent.compactMap(\.packetID)).count == 65_535)
        #expect(!sent.contains { $0.packetID == 0 })
        #expect(evaluated(state.acknowledgePuback(sent[10].packetID!)))
        let next = take(&state, window: 70_000)
        #expect(next.map(\.packetID) == [sent[10].packetID])
    }

    @Test func abandonedInflightMessageFreesItsIdentifier() {
        var state = SessionDeliveryState(maximumQueued: 10)
        _ = state.enqueue(delivery(qos: .atLeastOnce))
        let id = take(&state, window: 1)[0].packetID!
        state.abandonInflight(id)
        #expect(state.isIdle)
    }

    @Test func incomingQoS2IsDeduplicatedUntilPubrel() {
        var state = SessionDeliveryState(maximumQueued: 10)
        #expect(evaluated(state.receiveQoS2(7)))
        #expect(!evaluated(state.receiveQoS2(7)))
        #expect(state.incomingQoS2Count == 1)
        #expect(evaluated(state.releaseQoS2(7)))
        #expect(!evaluated(state.releaseQoS2(7)))
        #expect(evaluated(state.receiveQoS2(7)))
    }

    @Test func queuedQoS0CanBeDroppedWhenTheClientGoesOffline() {
        var state = SessionDeliveryState(maximumQueued: 10)
        _ = state.enqueue(delivery("a", qos: .atMostOnce))
        _ = state.enqueue(delivery("b", qos: .atLeastOnce))
        _ = state.enqueue(delivery("c", qos: .atMostOnce))
        #expect(evaluated(state.removeQueuedQoS0()) == 2)
        #expect(state.queue.map(\.message.topic) == ["b"])
    }
}

@Suite struct MessageExpiryTests {
    @Test func remainingIntervalCountsWholeSecondsWaited() {
        let start = NIODeadline.uptimeNanoseconds(5_000_000_000)
        let expiry = MessageExpiry(interval: 10, receivedAt: start)
        #expect(expiry.remainingInterval(at: start) == 10)
        #expect(expiry.remainingInterval(at: start + .milliseconds(999)) == 10)
        #expect(expiry.remainingInterval(at: start + .milliseconds(3_500)) == 7)
        #expect(expiry.remainingInterval(at: start + .seconds(9)) == 1)
        #expect(expiry.remainingInterval(at: start + .seconds(10)) == nil)
    }
}
