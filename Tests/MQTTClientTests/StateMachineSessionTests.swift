import MQTTCodec
import NIOCore
import Testing

@testable import MQTTClient

@Suite("State machine: incoming PUBLISH, resumption, keep-alive")
struct StateMachineSessionTests {
    // MARK: Incoming

    @Test func incomingQoS1IsDeliveredOnceAndAcknowledgedWhenTheConsumerTakesIt() {
        var machine = makeMachine()
        establish(&machine)
        let generation = machine.generation
        let message = publish(qos: .atLeastOnce, id: 5)
        #expect(machine.receive(.publish(message), generation: generation) == .deliver(message))
        #expect(machine.isAwaitingAcknowledgement(packetID: 5, generation: generation))
        // A resend before the consumer took the first copy is not delivered twice.
        var resend = message
        resend.dup = true
        #expect(machine.receive(.publish(resend), generation: generation) == .none)
        #expect(
            machine.acknowledge(packetID: 5, generation: generation) == .write(.puback(PublishFlowPacket(packetID: 5)))
        )
        #expect(machine.acknowledge(packetID: 5, generation: generation) == .none)
    }

    @Test func incomingQoS2RunsThePubRecPubRelPubCompFlowWithoutDuplicates() {
        var machine = makeMachine()
        establish(&machine)
        let generation = machine.generation
        let message = publish(qos: .exactlyOnce, id: 7)
        #expect(machine.receive(.publish(message), generation: generation) == .deliver(message))
        #expect(
            machine.acknowledge(packetID: 7, generation: generation) == .write(.pubrec(PublishFlowPacket(packetID: 7)))
        )
        // The server resends the PUBLISH (DUP) before PUBREL: answer PUBREC, do not deliver.
        var duplicate = message
        duplicate.dup = true
        #expect(
            machine.receive(.publish(duplicate), generation: generation)
                == .write(.pubrec(PublishFlowPacket(packetID: 7)))
        )
        #expect(
            machine.receive(.pubrel(PublishFlowPacket(packetID: 7)), generation: generation)
                == .write(.pubcomp(PublishFlowPacket(packetID: 7)))
        )
        // After PUBCOMP the identifier names a new message.
        #expect(machine.receive(.publish(message), generation: generation) == .deliver(message))
    }

    @Test func unknownPubRelIsStillAnsweredWithPubComp() {
        var machine = makeMachine()
        establish(&machine)
        #expect(
            machine.receive(.pubrel(PublishFlowPacket(packetID: 3)), generation: machine.generation)
                == .write(.pubcomp(PublishFlowPacket(packetID: 3, reasonCode: .packetIdentifierNotFound)))
        )
        var v3 = makeMachine(version: .v3_1_1)
        establish(&v3)
        #expect(
            v3.receive(.pubrel(PublishFlowPacket(packetID: 3)), generation: v3.generation)
                == .write(.pubcomp(PublishFlowPacket(packetID: 3)))
        )
    }

    @Test func qos2AwaitingReleaseSurvivesAReconnectionWithSession() {
        var machine = makeMachine(cleanStart: false)
        establish(&machine)
        let message = publish(qos: .exactlyOnce, id: 7)
        _ = machine.receive(.publish(message), generation: machine.generation)
        _ = machine.acknowledge(packetID: 7, generation: machine.generation)
        _ = machine.close(waiter: 1)
        _ = machine.channelInactive(generation: machine.generation)
        establish(&machine, connack: ConnAckPacket(sessionPresent: true))
        var duplicate = message
        duplicate.dup = true
        #expect(
            machine.receive(.publish(duplicate), generation: machine.generation)
                == .write(.pubrec(PublishFlowPacket(packetID: 7)))
        )
    }

    @Test func unacknowledgedMessagesOfAClosedConnectionCannotBeAcknowledged() {
        var machine = makeMachine(cleanStart: false)
        establish(&machine)
        let old = machine.generation
        _ = machine.receive(.publish(publish(qos: .atLeastOnce, id: 5)), generation: old)
        _ = machine.close(waiter: 1)
        _ = machine.channelInactive(generation: old)
        establish(&machine, connack: ConnAckPacket(sessionPresent: true))
        #expect(!machine.isAwaitingAcknowledgement(packetID: 5, generation: old))
        #expect(machine.acknowledge(packetID: 5, generation: old) == .none)
        // The redelivered copy is a new delivery.
        let redelivered = publish(qos: .atLeastOnce, dup: true, id: 5)
        #expect(machine.receive(.publish(redelivered), generation: machine.generation) == .deliver(redelivered))
    }

    @Test func incomingTopicAliasesAreResolved() {
        var properties = MQTTProperties()
        properties.topicAliasMaximum = 4
        var machine = makeMachine(properties: properties)
        establish(&machine)
        let generation = machine.generation
        var withAlias = MQTTProperties()
        withAlias.topicAlias = 3
        #expect(
            machine.receive(
                .publish(publish("sensors/1", qos: .atMostOnce, properties: withAlias)),
                generation: generation
            )
                == .deliver(publish("sensors/1", qos: .atMostOnce))
        )
        #expect(
            machine.receive(.publish(publish("", "y", qos: .atMostOnce, properties: withAlias)), generation: generation)
                == .deliver(publish("sensors/1", "y", qos: .atMostOnce))
        )
    }

    @Test func invalidIncomingTopicAliasesCloseTheConnection() {
        var properties = MQTTProperties()
        properties.topicAliasMaximum = 4
        var machine = makeMachine(properties: properties)
        establish(&machine)
        var tooLarge = MQTTProperties()
        tooLarge.topicAlias = 5
        #expect(
            machine.receive(
                .publish(publish("a", qos: .atMostOnce, properties: tooLarge)),
                generation: machine.generation
            )
                == .close(DisconnectPacket(reasonCode: .topicAliasInvalid))
        )

        var other = makeMachine(properties: properties)
        establish(&other)
        var unknown = MQTTProperties()
        unknown.topicAlias = 2
        #expect(
            other.receive(.publish(publish("", qos: .atMostOnce, properties: unknown)), generation: other.generation)
                == .close(DisconnectPacket(reasonCode: .protocolError))
        )
    }

    @Test func receiveMaximumExceededByTheServerClosesWith0x93() {
        var properties = MQTTProperties()
        properties.receiveMaximum = 1
        var machine = makeMachine(properties: properties)
        establish(&machine)
        _ = machine.receive(.publish(publish(qos: .atLeastOnce, id: 1)), generation: machine.generation)
        #expect(
            machine.receive(.publish(publish(qos: .atLeastOnce, id: 2)), generation: machine.generation)
                == .close(DisconnectPacket(reasonCode: .receiveMaximumExceeded))
        )
    }

    // MARK: Resumption

    @Test func resumedSessionResendsPublishesWithDupAndPubRelsInOrder() {
        var machine = makeMachine(cleanStart: false)
        establish(&machine)
        let first = machine.generation
        _ = machine.publish(publish("a", qos: .atLeastOnce), waiter: 1)  // id 1, unacknowledged
        _ = machine.publish(publish("b", qos: .exactlyOnce), waiter: 2)  // id 2, PUBREC received
        _ = machine.publish(publish("c", qos: .exactlyOnce), waiter: 3)  // id 3, unacknowledged
        _ = machine.publish(publish("d", qos: .atLeastOnce), waiter: 4)  // id 4, acknowledged
        _ = machine.receive(.pubrec(PublishFlowPacket(packetID: 2)), generation: first)
        _ = machine.receive(.puback(PublishFlowPacket(packetID: 4)), generation: first)

        let closed = machine.channelInactive(generation: first)
        #expect(closed?.failed.sorted() == [1, 2, 3])
        #expect(closed?.error == MQTTClientError(.connectionClosed))
        #expect(closed?.messagesError == MQTTClientError(.connectionClosed))
        #expect(machine.inFlightPublishes == 3)

        establish(&machine, connack: ConnAckPacket(sessionPresent: true))
        #expect(
            drain(&machine) == [
                .write(.publish(publish("a", qos: .atLeastOnce, dup: true, id: 1))),
                .write(.pubrel(PublishFlowPacket(packetID: 2))),
                .write(.publish(publish("c", qos: .exactlyOnce, dup: true, id: 3))),
            ]
        )
        // The resent messages complete without a waiter; the window frees up.
        #expect(machine.receive(.puback(PublishFlowPacket(packetID: 1)), generation: machine.generation) == .none)
        #expect(machine.receive(.pubcomp(PublishFlowPacket(packetID: 2)), generation: machine.generation) == .none)
        #expect(machine.inFlightPublishes == 1)
    }

    @Test func newPublishesWaitBehindTheResend() {
        var machine = makeMachine(cleanStart: false)
        establish(&machine)
        _ = machine.publish(publish("a", qos: .atLeastOnce), waiter: 1)
        _ = machine.channelInactive(generation: machine.generation)
        establish(&machine, connack: ConnAckPacket(sessionPresent: true))
        #expect(machine.publish(publish("b", qos: .atLeastOnce), waiter: 2) == .none)
        #expect(
            drain(&machine) == [
                .write(.publish(publish("a", qos: .atLeastOnce, dup: true, id: 1))),
                .write(.publish(publish("b", qos: .atLeastOnce, id: 2))),
            ]
        )
    }

    @Test func sessionNotPresentDiscardsTheClientSession() {
        var machine = makeMachine(cleanStart: false)
        establish(&machine)
        _ = machine.publish(publish("a", qos: .atLeastOnce), waiter: 1)
        _ = machine.channelInactive(generation: machine.generation)
        establish(&machine, connack: ConnAckPacket(sessionPresent: false))
        #expect(drain(&machine).isEmpty)
        #expect(machine.inFlightPublishes == 0)
    }

    @Test func cleanStartDiscardsTheClientSession() {
        var machine = makeMachine(cleanStart: true)
        establish(&machine)
        _ = machine.publish(publish("a", qos: .atLeastOnce), waiter: 1)
        _ = machine.channelInactive(generation: machine.generation)
        establish(&machine)
        #expect(machine.inFlightPublishes == 0)
        #expect(drain(&machine).isEmpty)
    }

    @Test func queuedPublishesFailWhenTheConnectionCloses() {
        var machine = makeMachine(maximumInFlight: 1)
        establish(&machine)
        _ = machine.publish(publish(qos: .atLeastOnce), waiter: 1)
        _ = machine.publish(publish(qos: .atLeastOnce), waiter: 2)
        _ = machine.subscribe([TopicSubscription(topicFilter: "x")], properties: [], waiter: 3)
        let closed = machine.channelInactive(generation: machine.generation)
        #expect(closed?.failed.sorted() == [1, 2, 3])
        #expect(machine.queuedPublishes == 0)
    }

    // MARK: Keep-alive

    @Test func pingIsSentWhenIdleForKeepAliveAndTheConnectionClosesWithoutPingResp() {
        var machine = makeMachine(keepAlive: 10)
        establish(&machine, now: at(0))
        let generation = machine.generation
        #expect(machine.keepAliveDeadline == at(10))
        // Traffic postpones the ping.
        machine.didWrite(now: at(3))
        #expect(machine.keepAliveTimerFired(now: at(10), readsPaused: false) == .none)
        #expect(machine.keepAliveDeadline == at(13))
        #expect(machine.keepAliveTimerFired(now: at(13), readsPaused: false) == .write(.pingreq))
        // Waiting for PINGRESP: the deadline is the ping timeout (5 s).
        #expect(machine.keepAliveDeadline == at(18))
        #expect(machine.receive(.pingresp, generation: generation) == .none)
        #expect(machine.keepAliveDeadline == at(23))
        #expect(machine.keepAliveTimerFired(now: at(23), readsPaused: false) == .write(.pingreq))
        #expect(machine.keepAliveTimerFired(now: at(27), readsPaused: false) == .none)
        #expect(machine.keepAliveTimerFired(now: at(28), readsPaused: false) == .close(nil))
        let closed = machine.channelInactive(generation: generation)
        #expect(closed?.messagesError == MQTTClientError(.keepAliveTimeout))
    }

    @Test func pingTimeoutWaitsWhileReadsArePaused() {
        var machine = makeMachine(keepAlive: 10)
        establish(&machine, now: at(0))
        #expect(machine.keepAliveTimerFired(now: at(10), readsPaused: false) == .write(.pingreq))
        #expect(machine.keepAliveTimerFired(now: at(15), readsPaused: true) == .none)
        #expect(machine.keepAliveDeadline == at(20))
        #expect(machine.keepAliveTimerFired(now: at(20), readsPaused: false) == .close(nil))
    }

    @Test func serverKeepAliveReplacesOurs() {
        var machine = makeMachine(keepAlive: 60)
        var properties = MQTTProperties()
        properties.serverKeepAlive = 2
        establish(&machine, connack: ConnAckPacket(properties: properties), now: at(0))
        #expect(machine.keepAliveDeadline == at(2))
        #expect(machine.keepAliveTimerFired(now: at(2), readsPaused: false) == .write(.pingreq))
    }

    @Test func keepAliveZeroTurnsPingsOff() {
        var machine = makeMachine(keepAlive: 0)
        establish(&machine)
        #expect(machine.keepAliveDeadline == nil)
        #expect(machine.keepAliveTimerFired(now: at(1000), readsPaused: false) == .none)
    }
}
