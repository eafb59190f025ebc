import Testing

/// Messages flow between independent clients (Mosquitto's and paho) through Tributary, for 3.1.1
/// and 5.0 on one broker, at every QoS, with the QoS downgraded to the subscription's.
@Suite(.timeLimit(.minutes(2))) struct PublishSubscribeTests {
    @Test(arguments: [MosquittoClients.Version.v311, .v5, .v31], [0, 1, 2])
    func mosquittoClientsExchangeMessagesAtEveryQoS(version: MosquittoClients.Version, qos: Int) async throws {
        try await withBroker { broker in
            let topic = uniqueName("sensors") + "/temperature"
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: version,
                qos: qos,
                count: 3
            )
            for index in 1...3 {
                let result = try await MosquittoClients.publish(
                    port: broker.port,
                    topic: topic,
                    message: "reading \(index)",
                    version: version,
                    qos: qos
                )
                #expect(result.status == 0, "mosquitto_pub failed: \(result.output)")
            }
            let messages = try await MosquittoClients.messages(3, from: subscriber)
            #expect(messages.map(\.payload) == ["reading 1", "reading 2", "reading 3"])
            #expect(messages.allSatisfy { $0.qos == qos && !$0.retain && $0.topic == topic })
            #expect(try await subscriber.waitForExit() == 0)
        }
    }

    @Test func versionsInteroperateOnOneBroker() async throws {
        try await withBroker { broker in
            let topic = uniqueName("mixed")
            let v5Subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v5,
                qos: 1,
                count: 1
            )
            let v311Subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v311,
                qos: 1,
                count: 1
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "from 3.1.1",
                version: .v311,
                qos: 1
            )
            #expect(try await MosquittoClients.messages(1, from: v5Subscriber).first?.payload == "from 3.1.1")
            #expect(try await MosquittoClients.messages(1, from: v311Subscriber).first?.payload == "from 3.1.1")
        }
    }

    @Test(arguments: [(publish: 2, subscribe: 1, expected: 1), (2, 0, 0), (1, 2, 1), (0, 2, 0)])
    func deliveryUsesTheLowerOfPublishAndSubscriptionQoS(publish: Int, subscribe: Int, expected: Int) async throws {
        try await withBroker { broker in
            let topic = uniqueName("downgrade")
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v5,
                qos: subscribe,
                count: 1
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "m",
                version: .v5,
                qos: publish
            )
            #expect(try await MosquittoClients.messages(1, from: subscriber).first?.qos == expected)
        }
    }

    @Test(arguments: [4, 5])
    func pahoPublishesAndReceivesAtEveryQoS(version: Int) async throws {
        try await withBroker { broker in
            let topic = uniqueName("paho")
            let subscriber = try await PahoPuppet.start(port: broker.port)
            let publisher = try await PahoPuppet.start(port: broker.port)
            #expect(
                try await subscriber.connect(clientID: uniqueName("sub"), version: version)["reason_code"]?.int == 0
            )
            #expect(try await publisher.connect(clientID: uniqueName("pub"), version: version)["reason_code"]?.int == 0)
            #expect(try await subscriber.subscribe(topic, qos: 2) == [2])
            for qos in 0...2 {
                let code = try await publisher.publish(topic, "qos \(qos)", qos: qos)
                #expect(code == 0)
                let message = try await subscriber.message()
                #expect(message["payload"]?.string == "qos \(qos)")
                #expect(message["qos"]?.int == qos)
            }
        }
    }

    @Test func wildcardsMatchAsTheSpecSays() async throws {
        try await withBroker { broker in
            let root = uniqueName("site")
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["\(root)/+/generator/+/telemetry", "\(root)/7/#"],
                version: .v5,
                count: 3
            )
            for topic in [
                "\(root)/1/generator/2/telemetry", "\(root)/1/generator/2/status", "\(root)/7", "\(root)/7/a/b",
            ] {
                try await MosquittoClients.publish(port: broker.port, topic: topic, message: topic, version: .v5)
            }
            let topics = try await MosquittoClients.messages(3, from: subscriber).map(\.topic)
            // `#` matches its parent level too (MQTT 5.0 §4.7.1.2).
            #expect(topics == ["\(root)/1/generator/2/telemetry", "\(root)/7", "\(root)/7/a/b"])
        }
    }

    @Test func leadingWildcardsDoNotMatchDollarTopics() async throws {
        try await withBroker { broker in
            let everything = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["#", "+/x"],
                version: .v5
            )
            let dollar = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["$app/#"],
                version: .v5,
                count: 1
            )
            try await MosquittoClients.publish(port: broker.port, topic: "$app/x", message: "hidden", version: .v5)
            let marker = uniqueName("marker")
            try await MosquittoClients.publish(port: broker.port, topic: marker, message: "visible", version: .v5)
            // MQTT-4.7.2-1: `#` and `+/x` must not match `$app/x`; the marker proves delivery works.
            let first = try await MosquittoClients.messages(1, from: everything)
            #expect(first.map(\.topic) == [marker])
            #expect(try await MosquittoClients.messages(1, from: dollar).map(\.topic) == ["$app/x"])
        }
    }

    @Test func unsubscribeStopsDeliveryAndReportsWhatExisted() async throws {
        try await withBroker { broker in
            let topic = uniqueName("unsub")
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            try await client.subscribe(topic, qos: 1)
            // 0x00 for the subscription that existed, 0x11 No subscription existed (MQTT 5.0 §3.11.3).
            #expect(try await client.unsubscribe([topic, "\(topic)/never"]) == [0, 0x11])
            try await client.subscribe("\(topic)/marker")
            try await client.publish(topic, "after unsubscribe", qos: 1)
            try await client.publish("\(topic)/marker", "marker", qos: 1)
            let message = try await client.message()
            #expect(message["topic"]?.string == "\(topic)/marker")
        }
    }
}
