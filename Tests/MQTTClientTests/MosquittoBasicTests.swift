import MQTTCodec
import NIOCore
import Testing

@testable import MQTTClient

/// Against a real Mosquitto 2.0: connecting, publish/subscribe round trips, retained messages,
/// Will, MQTT 5 properties and acknowledgement reason codes.
@Suite("Mosquitto: basics")
struct MosquittoBasicTests {
    @Test(arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func connectAndDisconnect(version: MQTTProtocolVersion) async throws {
        try await Mosquitto.with { broker in
            let client = makeClient(broker, "connect-\(version)", version: version)
            let connack = try await client.connect()
            #expect(connack.reasonCode == .success)
            #expect(!connack.sessionPresent)
            #expect(client.isConnected)
            if version == .v5 {
                // Mosquitto announces its limits in 5.0.
                #expect(connack.properties.topicAliasMaximum != nil)
            }
            // connect() twice is refused while connected.
            await #expect(throws: MQTTClientError(.alreadyConnected)) { try await client.connect() }
            try await client.disconnect()
            #expect(!client.isConnected)
            await #expect(throws: MQTTClientError(.notConnected)) {
                try await client.publish(topic: "t", payload: ByteBuffer(string: "x"))
            }
        }
    }

    @Test func emptyClientIDGetsAnAssignedOneInV5() async throws {
        try await Mosquitto.with { broker in
            let client = makeClient(broker, "", version: .v5)
            let connack = try await client.connect()
            let assigned = try #require(connack.properties.assignedClientIdentifier)
            #expect(!assigned.isEmpty)
            #expect(client.assignedClientID == assigned)
            try await client.disconnect()
        }
    }

    @Test func refusedConnectionCarriesTheReasonCode() async throws {
        try await Mosquitto.with(config: ["allow_anonymous false"]) { broker in
            for version in [MQTTProtocolVersion.v3_1_1, .v5] {
                let client = makeClient(broker, "refused", version: version)
                // Mosquitto answers 0x87 Not authorized in 5.0 and return code 5 in 3.1.1,
                // which the codec maps to the same 5.0 code.
                await #expect(throws: MQTTClientError(.connectionRefused, reasonCode: .notAuthorized)) {
                    try await client.connect()
                }
                #expect(!client.isConnected)
            }
        }
    }

    @Test func connectFailsWhenNothingListens() async throws {
        let port = try await Mosquitto.with { $0.port }  // stopped again: nobody listens there now
        let client = MQTTClient(configuration: .init(host: "127.0.0.1", port: port, clientID: "nobody"))
        await #expect(throws: MQTTClientError(.connectFailed)) { try await client.connect() }
    }

    @Test(arguments: [MQTTProtocolVersion.v3_1_1, .v5], QoS.allCases)
    func roundTrip(version: MQTTProtocolVersion, qos: QoS) async throws {
        try await Mosquitto.with { broker in
            let topic = uniqueTopic()
            let subscriber = makeClient(broker, "sub", version: version)
            let publisher = makeClient(broker, "pub", version: version)
            try await subscriber.connect()
            try await publisher.connect()
            let suback = try await subscriber.subscribe([
                TopicSubscription(topicFilter: topic, options: SubscriptionOptions(qos: qos))
            ])
            #expect(suback.reasonCodes == [.granted(qos)])
            let collector = MessageCollector(subscriber.messages)

            let result = try await publisher.publish(topic: topic, payload: ByteBuffer(string: "hello"), qos: qos)
            #expect(result.isSuccess)
            #expect((result.packetID == nil) == (qos == .atMostOnce))

            let message = try #require(try await collector.waitFor(1).first)
            #expect(message.topic == topic)
            #expect(message.payload == ByteBuffer(string: "hello"))
            #expect(message.qos == qos)
            #expect(!message.dup)
            try await publisher.disconnect()
            try await subscriber.disconnect()
            // A disconnect the client asked for ends `messages` without error.
            #expect(try await collector.waitForEnd() == nil)
        }
    }

    @Test func retainedMessageReachesALaterSubscriber() async throws {
        try await Mosquitto.with { broker in
            let topic = uniqueTopic()
            let publisher = makeClient(broker, "pub", version: .v3_1_1)
            try await publisher.connect()
            try await publisher.publish(
                topic: topic,
                payload: ByteBuffer(string: "kept"),
                qos: .atLeastOnce,
                retain: true
            )

            let subscriber = makeClient(broker, "sub", version: .v5)
            try await subscriber.connect()
            let collector = MessageCollector(subscriber.messages)
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])
            let message = try #require(try await collector.waitFor(1).first)
            #expect(message.retain)
            #expect(message.payload == ByteBuffer(string: "kept"))
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test(arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func willIsPublishedWhenTheClientCloses(version: MQTTProtocolVersion) async throws {
        try await Mosquitto.with { broker in
            let topic = uniqueTopic()
            let watcher = makeClient(broker, "watcher", version: .v5)
            try await watcher.connect()
            try await watcher.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])
            let collector = MessageCollector(watcher.messages)

            let device = makeClient(broker, "device", version: version) {
                $0.will = ConnectPacket.Will(topic: topic, payload: ByteBuffer(string: "gone"), qos: .atLeastOnce)
            }
            try await device.connect()
            await device.close()
            #expect(!device.isConnected)

            let will = try #require(try await collector.waitFor(1).first)
            #expect(will.topic == topic)
            #expect(will.payload == ByteBuffer(string: "gone"))
            try await watcher.disconnect()
        }
    }

    @Test func v5PropertiesPassThrough() async throws {
        try await Mosquitto.with { broker in
            let topic = uniqueTopic()
            let subscriber = makeClient(broker, "sub", version: .v5)
            let publisher = makeClient(broker, "pub", version: .v5)
            try await subscriber.connect()
            try await publisher.connect()
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])
            let collector = MessageCollector(subscriber.messages)

            var properties = MQTTProperties()
            properties.userProperties = [
                MQTTUserProperty(name: "device", value: "gen-7"),
                MQTTUserProperty(name: "device", value: "second"),
            ]
            properties.contentType = "application/json"
            properties.responseTopic = "replies/gen-7"
            properties.correlationData = ByteBuffer(bytes: [1, 2, 3, 255])
            properties.messageExpiryInterval = 300
            properties.payloadFormat = .utf8
            try await publisher.publish(
                topic: topic,
                payload: ByteBuffer(string: "{}"),
                qos: .atLeastOnce,
                properties: properties
            )

            let message = try #require(try await collector.waitFor(1).first)
            #expect(message.properties.userProperties == properties.userProperties)
            #expect(message.properties.contentType == "application/json")
            #expect(message.properties.responseTopic == "replies/gen-7")
            #expect(message.properties.correlationData == ByteBuffer(bytes: [1, 2, 3, 255]))
            #expect(message.properties.payloadFormat == .utf8)
            // The server forwards the remaining lifetime (MQTT-3.3.2-6).
            let expiry = try #require(message.properties.messageExpiryInterval)
            #expect(expiry > 0 && expiry <= 300)
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test func subAckAndUnsubAckReasonCodes() async throws {
        // Anonymous clients may read and write `open/#` only.
        let acl = "topic readwrite open/#\n"
        try await Mosquitto.with(config: ["acl_file $DIR/acl", "max_qos 1"], files: ["acl": acl]) { broker in
            let client = makeClient(broker, "codes", version: .v5)
            try await client.connect()
            let suback = try await client.subscribe([
                TopicSubscription(topicFilter: "open/a", options: .init(qos: .exactlyOnce)),
                TopicSubscription(topicFilter: "open/b", options: .init(qos: .atMostOnce)),
                TopicSubscription(topicFilter: "closed/c", options: .init(qos: .atLeastOnce)),
            ])
            // QoS 2 is downgraded to the server's maximum. (Mosquitto 2.0 grants a filter the ACL
            // denies and filters the messages instead.)
            #expect(suback.reasonCodes == [.grantedQoS1, .grantedQoS0, .grantedQoS1])

            let unsuback = try await client.unsubscribe(["open/a", "open/never"])
            #expect(unsuback.reasonCodes == [.success, .noSubscriptionExisted])

            // A PUBLISH the server refuses is reported through the result, not thrown.
            let refused = try await client.publish(
                topic: "closed/x",
                payload: ByteBuffer(string: "x"),
                qos: .atLeastOnce
            )
            #expect(refused.reasonCode == .notAuthorized)
            #expect(!refused.isSuccess)
            let accepted = try await client.publish(
                topic: "open/x",
                payload: ByteBuffer(string: "x"),
                qos: .atLeastOnce
            )
            // Nobody subscribes to open/x: 0x10 No matching subscribers is still a success.
            #expect(accepted.isSuccess)
            try await client.disconnect()
        }
    }

    @Test func v311SubAckFailureAndEmptyUnsubAck() async throws {
        let acl = "topic readwrite open/#\n"
        try await Mosquitto.with(config: ["acl_file $DIR/acl"], files: ["acl": acl]) { broker in
            let client = makeClient(broker, "codes311", version: .v3_1_1)
            try await client.connect()
            let suback = try await client.subscribe([
                TopicSubscription(topicFilter: "open/a", options: .init(qos: .exactlyOnce)),
                TopicSubscription(topicFilter: "closed/c", options: .init(qos: .atLeastOnce)),
            ])
            #expect(suback.reasonCodes == [.grantedQoS2, .grantedQoS1])
            let unsuback = try await client.unsubscribe(["open/a"])
            #expect(unsuback.reasonCodes.isEmpty)
            try await client.disconnect()
        }
    }

    /// Mosquitto 2.0.11 queues DISCONNECT 0x8E and closes the socket at once, so the packet often
    /// never leaves; the exact reason code is checked against `ScriptedServer` instead.
    @Test func sessionTakeoverEndsTheFirstConnection() async throws {
        try await Mosquitto.with { broker in
            let first = makeClient(broker, "same-id", version: .v5)
            try await first.connect()
            let collector = MessageCollector(first.messages)

            let second = makeClient(broker, "same-id", version: .v5)
            try await second.connect()

            let error = try #require(try await collector.waitForEnd() as? MQTTClientError)
            #expect([.serverDisconnected, .connectionClosed].contains(error.code))
            if let reason = first.disconnectReason {
                #expect(reason.reasonCode == .sessionTakenOver)
            }
            try await waitUntil("first client closed") { !first.isConnected }
            await #expect(throws: MQTTClientError(.notConnected)) {
                try await first.publish(topic: "t", payload: ByteBuffer(), qos: .atLeastOnce)
            }
            try await second.disconnect()
        }
    }
}
