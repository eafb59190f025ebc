import Broker
import Testing

/// Retained messages: set, replace, clear, Retain Handling and Retain As Published.
@Suite(.timeLimit(.minutes(2))) struct RetainedMessageTests {
    @Test(arguments: [MosquittoClients.Version.v311, .v5])
    func newSubscriberGetsTheLatestRetainedMessageWithRetainSet(version: MosquittoClients.Version) async throws {
        try await withBroker { broker in
            let topic = uniqueName("status")
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "first",
                version: version,
                qos: 1,
                retain: true
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "replaced",
                version: version,
                qos: 1,
                retain: true
            )
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: version,
                qos: 1,
                count: 2
            )
            let retained = try await MosquittoClients.messages(1, from: subscriber)
            // MQTT-3.3.1-8: RETAIN set on a message sent because of the subscription.
            #expect(retained == retained.filter { $0.retain && $0.payload == "replaced" && $0.qos == 1 })
            #expect(retained.count == 1)
            // MQTT-3.3.1-12: RETAIN cleared on a normal forward of a retained publish.
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "live",
                version: version,
                qos: 1,
                retain: true
            )
            let live = try await MosquittoClients.messages(1, from: subscriber)
            #expect(live.first?.payload == "live")
            #expect(live.first?.retain == false)
        }
    }

    @Test func emptyRetainedPayloadClearsTheTopic() async throws {
        try await withBroker { broker in
            let root = uniqueName("clear")
            try await MosquittoClients.publish(
                port: broker.port,
                topic: "\(root)/a",
                message: "kept",
                qos: 1,
                retain: true
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: "\(root)/b",
                message: "gone",
                qos: 1,
                retain: true
            )
            try await MosquittoClients.publish(port: broker.port, topic: "\(root)/b", message: "", qos: 1, retain: true)
            #expect(broker.broker.retainedMessageCount == 1)
            let subscriber = try await MosquittoClients.subscribe(port: broker.port, topics: ["\(root)/#"], qos: 1)
            try await MosquittoClients.publish(port: broker.port, topic: "\(root)/marker", message: "marker", qos: 1)
            let messages = try await MosquittoClients.messages(2, from: subscriber)
            #expect(messages.map(\.topic) == ["\(root)/a", "\(root)/marker"])
        }
    }

    @Test func retainHandlingDecidesWhatASubscribeSends() async throws {
        try await withBroker { broker in
            let topic = uniqueName("rh")
            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("pub"))
            try await publisher.publish(topic, "retained", qos: 1, retain: true)

            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("rh"))
            // 1: only when the subscription is new.
            try await client.subscribe(topic, qos: 1, retainHandling: 1)
            #expect(try await client.message()["retain"]?.bool == true)
            try await client.subscribe(topic, qos: 1, retainHandling: 1)
            // 0: on every subscribe, also a repeated one.
            try await client.subscribe(topic, qos: 1, retainHandling: 0)
            let resent = try await client.message()
            #expect(resent["payload"]?.string == "retained" && resent["retain"]?.bool == true)
            // 2: never.
            try await client.subscribe(topic, qos: 1, retainHandling: 2)
            try await client.subscribe("\(topic)/marker", qos: 1)
            try await publisher.publish("\(topic)/marker", "marker", qos: 1)
            #expect(try await client.message()["topic"]?.string == "\(topic)/marker")
            #expect(client.events("message").count == 3)
        }
    }

    @Test func retainAsPublishedKeepsTheFlagOnForwardedMessages() async throws {
        try await withBroker { broker in
            let topic = uniqueName("rap")
            let keeps = try await PahoPuppet.start(port: broker.port)
            try await keeps.connect(clientID: uniqueName("keeps"))
            try await keeps.subscribe(topic, qos: 1, retainAsPublished: true)
            let clears = try await PahoPuppet.start(port: broker.port)
            try await clears.connect(clientID: uniqueName("clears"))
            try await clears.subscribe(topic, qos: 1)

            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("pub"))
            try await publisher.publish(topic, "flagged", qos: 1, retain: true)
            #expect(try await keeps.message()["retain"]?.bool == true)
            #expect(try await clears.message()["retain"]?.bool == false)
        }
    }
}
