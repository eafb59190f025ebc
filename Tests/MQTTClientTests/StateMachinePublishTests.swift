import MQTTCodec
import NIOCore
import Testing

@testable import MQTTClient

@Suite("State machine: outgoing PUBLISH")
struct StateMachinePublishTests {
    @Test func qos0IsWrittenAndCompletedAtOnce() {
        var machine = makeMachine()
        establish(&machine)
        #expect(
            machine.publish(publish(qos: .atMostOnce), waiter: 1)
                == .writeAndResume(.publish(publish(qos: .atMostOnce)), 1, published(nil))
        )
    }

    @Test func qos1CompletesOnPubAckWithItsReasonCode() {
        var machine = makeMachine()
        establish(&machine)
        #expect(
            machine.publish(publish(qos: .atLeastOnce), waiter: 1)
                == .write(.publish(publish(qos: .atLeastOnce, id: 1)))
        )
        #expect(machine.inFlightPublishes == 1)
        let ack = PublishFlowPacket(packetID: 1, reasonCode: .quotaExceeded)
        #expect(
            machine.receive(.puback(ack), generation: machine.generation) == .resume(1, published(1, .quotaExceeded))
        )
        #expect(machine.inFlightPublishes == 0)
        // A duplicate PUBACK is ignored.
        #expect(machine.receive(.puback(ack), generation: machine.generation) == .none)
    }

    @Test func qos2RunsPubRecPubRelPubComp() {
        var machine = makeMachine()
        establish(&machine)
        let generation = machine.generation
        #expect(
            machine.publish(publish(qos: .exactlyOnce), waiter: 1)
                == .write(.publish(publish(qos: .exactlyOnce, id: 1)))
        )
        #expect(
            machine.receive(.pubrec(PublishFlowPacket(packetID: 1)), generation: generation)
                == .write(.pubrel(PublishFlowPacket(packetID: 1)))
        )
        // A PUBCOMP is only accepted after PUBREL; a repeated PUBREC is answered again.
        #expect(
            machine.receive(.pubrec(PublishFlowPacket(packetID: 1)), generation: generation)
                == .write(.pubrel(PublishFlowPacket(packetID: 1)))
        )
        #expect(machine.inFlightPublishes == 1)
        #expect(
            machine.receive(.pubcomp(PublishFlowPacket(packetID: 1)), generation: generation)
                == .resume(1, published(1))
        )
        #expect(machine.inFlightPublishes == 0)
    }

    @Test func qos2FailedPubRecEndsTheFlowAndFreesTheWindow() {
        var machine = makeMachine()
        establish(&machine)
        _ = machine.publish(publish(qos: .exactlyOnce), waiter: 1)
        #expect(
            machine.receive(
                .pubrec(PublishFlowPacket(packetID: 1, reasonCode: .notAuthorized)),
                generation: machine.generation
            )
                == .resume(1, published(1, .notAuthorized))
        )
        #expect(machine.inFlightPublishes == 0)
    }

    @Test func unknownPubRecIsAnsweredWithPacketIdentifierNotFound() {
        var machine = makeMachine()
        establish(&machine)
        #expect(
            machine.receive(.pubrec(PublishFlowPacket(packetID: 9)), generation: machine.generation)
                == .write(.pubrel(PublishFlowPacket(packetID: 9, reasonCode: .packetIdentifierNotFound)))
        )
    }

    @Test func windowQueuesInCallOrderAndReleasesOnAcknowledgement() {
        var machine = makeMachine()
        var properties = MQTTProperties()
        properties.receiveMaximum = 2
        establish(&machine, connack: ConnAckPacket(properties: properties))
        let generation = machine.generation
        #expect(
            machine.publish(publish("a", qos: .atLeastOnce), waiter: 1)
                == .write(.publish(publish("a", qos: .atLeastOnce, id: 1)))
        )
        #expect(
            machine.publish(publish("b", qos: .exactlyOnce), waiter: 2)
                == .write(.publish(publish("b", qos: .exactlyOnce, id: 2)))
        )
        #expect(machine.publish(publish("c", qos: .atLeastOnce), waiter: 3) == .none)
        // QoS 0 does not need the window but does not overtake what is queued.
        #expect(machine.publish(publish("d", qos: .atMostOnce), waiter: 4) == .none)
        #expect(machine.queuedPublishes == 2)
        #expect(drain(&machine).isEmpty)

        // PUBREC does not free the slot (MQTT 5.0 §4.9): only PUBCOMP does.
        _ = machine.receive(.pubrec(PublishFlowPacket(packetID: 2)), generation: generation)
        #expect(drain(&machine).isEmpty)

        #expect(
            machine.receive(.puback(PublishFlowPacket(packetID: 1)), generation: generation) == .resume(1, published(1))
        )
        #expect(
            drain(&machine) == [
                .write(.publish(publish("c", qos: .atLeastOnce, id: 3))),
                .writeAndResume(.publish(publish("d", qos: .atMostOnce)), 4, published(nil)),
            ]
        )
        #expect(machine.inFlightPublishes == 2)
    }

    @Test func clientLimitCapsTheWindowBelowReceiveMaximum() {
        var machine = makeMachine(maximumInFlight: 1)
        establish(&machine)
        _ = machine.publish(publish(qos: .atLeastOnce), waiter: 1)
        #expect(machine.publish(publish(qos: .atLeastOnce), waiter: 2) == .none)
    }

    @Test func packetIdentifiersAreNeverInUseTwiceAndAreReused() {
        var machine = makeMachine(version: .v3_1_1)
        establish(&machine)
        var seen = Set<UInt16>()
        for waiter in 1...65_535 {
            guard case .write(.publish(let packet)) = machine.publish(publish(qos: .atLeastOnce), waiter: waiter),
                let id = packet.packetID
            else {
                Issue.record("publish \(waiter) was not written")
                return
            }
            #expect(id != 0)
            seen.insert(id)
        }
        #expect(seen.count == 65_535)
        // Every identifier is taken: the next PUBLISH waits, subscribing fails.
        #expect(machine.publish(publish(qos: .atLeastOnce), waiter: 70_000) == .none)
        #expect(
            machine.subscribe([TopicSubscription(topicFilter: "x")], properties: [], waiter: 70_001)
                == .resume(70_001, .failure(MQTTClientError(.packetIdentifiersExhausted)))
        )
        // Freeing identifier 7 lets the queued PUBLISH take exactly that one.
        _ = machine.receive(.puback(PublishFlowPacket(packetID: 7)), generation: machine.generation)
        #expect(drain(&machine) == [.write(.publish(publish(qos: .atLeastOnce, id: 7)))])
    }

    @Test func identifiersWrapFrom65535To1SkippingThoseInUse() {
        var machine = makeMachine()
        establish(&machine)
        let generation = machine.generation
        _ = machine.publish(publish(qos: .atLeastOnce), waiter: 0)  // id 1 stays in flight
        for waiter in 2...65_535 {
            _ = machine.publish(publish(qos: .atLeastOnce), waiter: waiter)
            _ = machine.receive(.puback(PublishFlowPacket(packetID: UInt16(waiter))), generation: generation)
        }
        #expect(
            machine.publish(publish(qos: .atLeastOnce), waiter: 1)
                == .write(.publish(publish(qos: .atLeastOnce, id: 2)))
        )
    }

    @Test func serverLimitsAreCheckedBeforeSending() {
        var machine = makeMachine()
        var properties = MQTTProperties()
        properties.maximumQoS = .atLeastOnce
        properties.retainAvailable = false
        properties.maximumPacketSize = 50
        establish(&machine, connack: ConnAckPacket(properties: properties))
        #expect(
            machine.publish(publish(qos: .exactlyOnce), waiter: 1)
                == .resume(1, .failure(MQTTClientError(.qosNotSupported)))
        )
        var retained = publish(qos: .atMostOnce)
        retained.retain = true
        #expect(machine.publish(retained, waiter: 2) == .resume(2, .failure(MQTTClientError(.retainNotSupported))))
        let big = publish("t", String(repeating: "x", count: 100), qos: .atMostOnce)
        #expect(machine.publish(big, waiter: 3) == .resume(3, .failure(MQTTClientError(.packetTooLarge))))
        #expect(machine.inFlightPublishes == 0)
    }

    @Test func unwritableChannelQueuesEvenQoS0() {
        var machine = makeMachine()
        establish(&machine)
        machine.channelWritabilityChanged(isWritable: false)
        #expect(machine.publish(publish(qos: .atMostOnce), waiter: 1) == .none)
        #expect(drain(&machine).isEmpty)
        machine.channelWritabilityChanged(isWritable: true)
        #expect(drain(&machine) == [.writeAndResume(.publish(publish(qos: .atMostOnce)), 1, published(nil))])
    }

    @Test func encodingFailureRollsBackThePublish() {
        var machine = makeMachine()
        establish(&machine)
        guard case .write(let packet) = machine.publish(publish("bad/#", qos: .atLeastOnce), waiter: 1) else {
            Issue.record("not written")
            return
        }
        let error = MQTTCodecError(reasonCode: .topicNameInvalid, detail: "wildcard")
        #expect(
            machine.writeFailed(packet, error: error)
                == .resume(1, .failure(MQTTClientError(.invalidPacket, reasonCode: .topicNameInvalid)))
        )
        #expect(machine.inFlightPublishes == 0)
        // Nothing leaked: the window is empty and allocation goes on with the next identifier.
        #expect(
            machine.publish(publish(qos: .atLeastOnce), waiter: 2)
                == .write(.publish(publish(qos: .atLeastOnce, id: 2)))
        )
    }

    @Test func subscribeAndUnsubscribeCompleteOnTheirAcknowledgements() {
        var machine = makeMachine()
        establish(&machine)
        let filters = [TopicSubscription(topicFilter: "a/#", options: SubscriptionOptions(qos: .atLeastOnce))]
        #expect(
            machine.subscribe(filters, properties: [], waiter: 1)
                == .write(.subscribe(SubscribePacket(packetID: 1, subscriptions: filters)))
        )
        let suback = SubAckPacket(packetID: 1, reasonCodes: [.grantedQoS1])
        #expect(
            machine.receive(.suback(suback), generation: machine.generation) == .resume(1, .success(.subAck(suback)))
        )
        #expect(
            machine.unsubscribe(["a/#"], properties: [], waiter: 2)
                == .write(.unsubscribe(UnsubscribePacket(packetID: 2, topicFilters: ["a/#"])))
        )
        let unsuback = UnsubAckPacket(packetID: 2, reasonCodes: [.noSubscriptionExisted])
        #expect(
            machine.receive(.unsuback(unsuback), generation: machine.generation)
                == .resume(2, .success(.unsubAck(unsuback)))
        )
    }

    @Test func outgoingTopicAliasesUpToTheServerMaximum() {
        var machine = makeMachine(useTopicAliases: true)
        var properties = MQTTProperties()
        properties.topicAliasMaximum = 2
        establish(&machine, connack: ConnAckPacket(properties: properties))
        func alias(_ value: UInt16) -> MQTTProperties {
            var properties = MQTTProperties()
            properties.topicAlias = value
            return properties
        }
        #expect(
            machine.publish(publish("a", qos: .atMostOnce), waiter: 1)
                == .writeAndResume(.publish(publish("a", qos: .atMostOnce, properties: alias(1))), 1, published(nil))
        )
        #expect(
            machine.publish(publish("a", qos: .atMostOnce), waiter: 2)
                == .writeAndResume(.publish(publish("", qos: .atMostOnce, properties: alias(1))), 2, published(nil))
        )
        #expect(
            machine.publish(publish("b", qos: .atLeastOnce), waiter: 3)
                == .write(.publish(publish("b", qos: .atLeastOnce, id: 1, properties: alias(2))))
        )
        // The maximum is reached: a third topic goes without alias.
        #expect(
            machine.publish(publish("c", qos: .atMostOnce), waiter: 4)
                == .writeAndResume(.publish(publish("c", qos: .atMostOnce)), 4, published(nil))
        )
    }

    @Test func topicAliasesAreOffByDefault() {
        var machine = makeMachine()
        var properties = MQTTProperties()
        properties.topicAliasMaximum = 10
        establish(&machine, connack: ConnAckPacket(properties: properties))
        #expect(
            machine.publish(publish("a", qos: .atMostOnce), waiter: 1)
                == .writeAndResume(.publish(publish("a", qos: .atMostOnce)), 1, published(nil))
        )
    }
}
