import Broker
import Testing

/// MQTT 5.0 properties pass through unchanged (MQTT 5.0 §3.3.2.3), expiry is counted down, and
/// subscription identifiers, no-local and topic aliases work.
@Suite(.timeLimit(.minutes(2))) struct PropertyTests {
    @Test func mosquittoPropertiesArriveUnchanged() async throws {
        try await withBroker { broker in
            let topic = uniqueName("props")
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v5,
                qos: 1,
                count: 1
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "{\"t\":21.5}",
                version: .v5,
                qos: 1,
                extra: [
                    "-D", "publish", "user-property", "site", "42", "-D", "publish", "user-property", "site", "43",
                    "-D", "publish", "content-type", "application/json", "-D", "publish", "response-topic", "replies/7",
                    "-D", "publish", "correlation-data", "req-1", "-D", "publish", "message-expiry-interval", "120",
                    "-D", "publish", "payload-format-indicator", "1",
                ]
            )
            let message = try #require(try await MosquittoClients.messages(1, from: subscriber).first)
            #expect(message.payload == "{\"t\":21.5}")
            // Order and repetition of user properties are kept (MQTT-3.3.2-18).
            #expect(message.userProperties == "site:42 site:43")
            #expect(message.contentType == "application/json")
            #expect(message.responseTopic == "replies/7")
            #expect(message.correlationData == "req-1")
            // MQTT-3.3.2-6: the expiry forwarded is what is left, never more than was sent.
            let expiry = try #require(Int(message.messageExpiry))
            #expect(expiry <= 120 && expiry >= 118)
        }
    }

    @Test func pahoCorrelationDataAndUserPropertiesRoundTrip() async throws {
        try await withBroker { broker in
            let topic = uniqueName("rpc")
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            try await client.subscribe(topic, qos: 2)
            let properties: JSONValue = [
                "CorrelationData": "00ff10", "ResponseTopic": "r/1", "UserProperty": [["a", "1"], ["b", "2"]],
                "ContentType": "text/plain", "PayloadFormatIndicator": 1,
            ]
            try await client.publish(topic, "ping", qos: 2, properties: properties)
            let received = try await client.message()["properties"]
            #expect(received?["CorrelationData"]?.string == "00ff10")
            #expect(received?["ResponseTopic"]?.string == "r/1")
            #expect(received?["UserProperty"] == [["a", "1"], ["b", "2"]])
            #expect(received?["ContentType"]?.string == "text/plain")
            #expect(received?["PayloadFormatIndicator"]?.int == 1)
        }
    }

    @Test func invalidUTF8WithUTF8FormatIndicatorIsRefusedWithReasonCode() async throws {
        try await withBroker { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            client.command([
                "cmd": "publish", "topic": "bad/utf8", "payload_hex": "c328", "qos": 1,
                "properties": ["PayloadFormatIndicator": 1],
            ])
            let published = try await client.next("published")
            #expect(published["reason_code"]?.int == 0x99)  // Payload format invalid
        }
    }

    @Test func subscriptionIdentifiersOfOverlappingSubscriptionsAreAllSent() async throws {
        try await withBroker { broker in
            let root = uniqueName("ids")
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            try await client.subscribe("\(root)/+", qos: 0, properties: ["SubscriptionIdentifier": 11])
            try await client.subscribe("\(root)/#", qos: 1, properties: ["SubscriptionIdentifier": 22])
            try await client.publish("\(root)/x", "overlap", qos: 1)
            let message = try await client.message()
            // One copy at the highest QoS with both identifiers (MQTT-3.3.4-2, MQTT-3.3.4-3).
            #expect(message["qos"]?.int == 1)
            let identifiers = message["properties"]?["SubscriptionIdentifier"]?.array?.compactMap(\.int) ?? []
            #expect(Set(identifiers) == [11, 22])
            try await client.publish("\(root)/marker/deep", "marker", qos: 1)
            _ = try await client.message()
            #expect(client.events("message").count == 2)
        }
    }

    @Test func noLocalSuppressesTheClientsOwnMessages() async throws {
        try await withBroker { broker in
            let topic = uniqueName("chat")
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("me"))
            try await client.subscribe(topic, qos: 1, noLocal: true)
            let other = try await PahoPuppet.start(port: broker.port)
            try await other.connect(clientID: uniqueName("other"))
            try await client.publish(topic, "mine", qos: 1)
            try await other.publish(topic, "theirs", qos: 1)
            #expect(try await client.message()["payload"]?.string == "theirs")
            #expect(client.events("message").count == 1)
        }
    }

    @Test func inboundTopicAliasesAreResolved() async throws {
        try await withBroker { broker in
            let topic = uniqueName("alias")
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v5,
                qos: 1,
                count: 2
            )
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            #expect(try await client.publish(topic, "with topic", qos: 1, properties: ["TopicAlias": 3]) == 0)
            #expect(try await client.publish("", "alias only", qos: 1, properties: ["TopicAlias": 3]) == 0)
            let messages = try await MosquittoClients.messages(2, from: subscriber)
            #expect(messages.map(\.topic) == [topic, topic])
            #expect(messages.map(\.payload) == ["with topic", "alias only"])
        }
    }

    @Test func aliasAboveTheMaximumIsAProtocolViolation() async throws {
        try await withBroker(configure: { $0.topicAliasMaximum = 2 }) { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            client.command(["cmd": "publish", "topic": "t", "payload": "x", "qos": 1, "properties": ["TopicAlias": 3]])
            #expect(try await client.next("disconnect")["reason_code"]?.int == 0x94)  // Topic Alias invalid
        }
    }

    @Test func messageTooLargeForTheSubscriberIsNotSent() async throws {
        try await withBroker { broker in
            let topic = uniqueName("big")
            let subscriber = try await PahoPuppet.start(port: broker.port)
            try await subscriber.connect(clientID: uniqueName("small"), properties: ["MaximumPacketSize": 200])
            try await subscriber.subscribe("\(topic)/#", qos: 1)
            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("pub"))
            try await publisher.publish("\(topic)/large", String(repeating: "x", count: 1_000), qos: 1)
            try await publisher.publish("\(topic)/small", "fits", qos: 1)
            // MQTT-3.1.2-25: the large one is discarded, the connection stays.
            #expect(try await subscriber.message()["topic"]?.string == "\(topic)/small")
            #expect(subscriber.events("message").count == 1)
        }
    }

    @Test func packetAboveTheBrokerMaximumEndsTheConnectionWithReasonCode() async throws {
        try await withBroker(configure: { $0.maximumPacketSize = 1_024 }) { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            client.command([
                "cmd": "publish", "topic": "t", "payload": .string(String(repeating: "y", count: 4_096)), "qos": 0,
            ])
            #expect(try await client.next("disconnect")["reason_code"]?.int == 0x95)  // Packet too large
        }
    }
}
