import Broker
import Testing

/// CONNECT/CONNACK rules and session life cycle, checked with paho-mqtt and Mosquitto's clients.
@Suite(.timeLimit(.minutes(2))) struct SessionTests {
    @Test func v5ClientWithoutIdentifierIsAssignedOne() async throws {
        try await withBroker { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            let connack = try await client.connect(clientID: "")
            #expect(connack["reason_code"]?.int == 0)
            let assigned = connack["properties"]?["AssignedClientIdentifier"]?.string ?? ""
            #expect(!assigned.isEmpty)
        }
    }

    @Test func connackAnnouncesTheBrokerLimits() async throws {
        try await withBroker(configure: {
            $0.receiveMaximum = 20
            $0.topicAliasMaximum = 7
            $0.maximumPacketSize = 10_000
        }) { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            let properties = try await client.connect(clientID: uniqueName("c"))["properties"]
            #expect(properties?["ReceiveMaximum"]?.int == 20)
            #expect(properties?["TopicAliasMaximum"]?.int == 7)
            #expect(properties?["MaximumPacketSize"]?.int == 10_000)
        }
    }

    @Test(arguments: [4, 5])
    func sessionPresentReflectsAResumedSession(version: Int) async throws {
        try await withBroker { broker in
            let clientID = uniqueName("persistent")
            let properties: JSONValue = version == 5 ? ["SessionExpiryInterval": 300] : [:]
            let first = try await PahoPuppet.start(port: broker.port)
            #expect(
                try await first.connect(
                    clientID: clientID,
                    version: version,
                    cleanStart: false,
                    properties: properties
                )["session_present"]?.bool == false
            )
            try await first.disconnect()

            let second = try await PahoPuppet.start(port: broker.port)
            #expect(
                try await second.connect(
                    clientID: clientID,
                    version: version,
                    cleanStart: false,
                    properties: properties
                )["session_present"]?.bool == true
            )
            try await second.disconnect()

            // Clean start discards it (MQTT-3.1.2-4).
            let third = try await PahoPuppet.start(port: broker.port)
            #expect(
                try await third.connect(clientID: clientID, version: version, cleanStart: true, properties: properties)[
                    "session_present"
                ]?.bool == false
            )
        }
    }

    @Test func sessionWithZeroExpiryEndsWithTheConnection() async throws {
        try await withBroker { broker in
            let clientID = uniqueName("short")
            let first = try await PahoPuppet.start(port: broker.port)
            try await first.connect(clientID: clientID, cleanStart: false, properties: ["SessionExpiryInterval": 0])
            try await first.disconnect()
            let second = try await PahoPuppet.start(port: broker.port)
            #expect(try await second.connect(clientID: clientID, cleanStart: false)["session_present"]?.bool == false)
        }
    }

    @Test(arguments: [4, 5])
    func secondConnectionWithTheSameIdentifierTakesTheSessionOver(version: Int) async throws {
        try await withBroker { broker in
            let clientID = uniqueName("twin")
            let first = try await PahoPuppet.start(port: broker.port)
            try await first.connect(clientID: clientID, version: version)
            let second = try await PahoPuppet.start(port: broker.port)
            #expect(try await second.connect(clientID: clientID, version: version)["reason_code"]?.int == 0)
            let disconnect = try await first.next("disconnect")
            if version == 5 {
                // MQTT-3.1.4-3 with reason 0x8E Session taken over.
                #expect(disconnect["reason_code"]?.int == 0x8E)
            }
            // The new connection works.
            let topic = uniqueName("after-takeover")
            try await second.subscribe(topic, qos: 1)
            try await second.publish(topic, "still here", qos: 1)
            #expect(try await second.message()["payload"]?.string == "still here")
        }
    }

    @Test func serverKeepAliveReplacesATooLongKeepAlive() async throws {
        try await withBroker(configure: { $0.maximumKeepAlive = 5 }) { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            let connack = try await client.connect(clientID: uniqueName("ka"), keepAlive: 600)
            #expect(connack["properties"]?["ServerKeepAlive"]?.int == 5)
        }
    }

    @Test func requestedResponseInformationIsReturned() async throws {
        try await withBroker { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            let clientID = uniqueName("rr")
            let connack = try await client.connect(clientID: clientID, properties: ["RequestResponseInformation": 1])
            #expect(connack["properties"]?["ResponseInformation"]?.string == "response/\(clientID)")
        }
    }

    @Test func persistentSessionKeepsSubscriptionsAndQueuesWhileOffline() async throws {
        try await withBroker { broker in
            let clientID = uniqueName("offline")
            let topic = uniqueName("queued")
            try await publishWhileOffline(broker, clientID: clientID, topic: topic, count: 50)
            // Reconnect without subscribing again: the session still holds the subscription.
            let second = try PeerProcess.lineBuffered(
                Peers.mosquittoSub,
                [
                    "-h", "127.0.0.1", "-p", "\(broker.port)", "-V", "mqttv311", "-i", clientID, "-c", "-q", "1",
                    "-t", "\(topic)/unused", "-F", #"MSG\t%t\t%q\t%r\t%x\t%C\t%E\t%P\t%R\t%D\t%S"#, "-C", "50",
                ]
            )
            let messages = try await MosquittoClients.messages(50, from: second)
            #expect(messages.map(\.payload) == (1...50).map(String.init))
            #expect(messages.allSatisfy { $0.qos == 1 })
        }
    }

    @Test func offlineQueueIsBoundedPerSession() async throws {
        try await withBroker(configure: { $0.maximumQueuedPerSession = 10 }) { broker in
            let clientID = uniqueName("bounded")
            let topic = uniqueName("flood")
            try await publishWhileOffline(broker, clientID: clientID, topic: topic, count: 25)
            let second = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["\(topic)/marker"],
                version: .v311,
                qos: 1,
                clientID: clientID,
                cleanSession: false
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: "\(topic)/marker",
                message: "end",
                version: .v311,
                qos: 1
            )
            // The queued messages arrive as soon as the session resumes, before the SUBACK that
            // `subscribe` waits for: count every message line the process printed.
            let received: @Sendable () -> [MosquittoClients.Message] = {
                second.lines.compactMap(MosquittoClients.Message.init(line:))
            }
            try await PeerProcess.waitUntil([second], "the marker") { received().contains { $0.payload == "end" } }
            let messages = received()
            // The oldest ten were kept; the rest were dropped (drop-newest) and counted.
            #expect(messages.map(\.payload) == (1...10).map(String.init) + ["end"])
        }
    }

    @Test func unacknowledgedMessagesAreResentWithDupAfterReconnect() async throws {
        try await withBroker { broker in
            let clientID = uniqueName("redeliver")
            let topic = uniqueName("important")
            let subscriber = try await PahoPuppet.start(port: broker.port)
            try await subscriber.connect(
                clientID: clientID,
                cleanStart: false,
                properties: ["SessionExpiryInterval": 300],
                manualAck: true
            )
            try await subscriber.subscribe(topic, qos: 1)
            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("pub"))
            try await publisher.publish(topic, "ack me", qos: 1)
            let first = try await subscriber.message()
            #expect(first["dup"]?.bool == false)
            // Never acknowledged: the connection drops with the message in flight.
            try await subscriber.dropConnection()

            let again = try await PahoPuppet.start(port: broker.port)
            let connack = try await again.connect(
                clientID: clientID,
                cleanStart: false,
                properties: ["SessionExpiryInterval": 300]
            )
            #expect(connack["session_present"]?.bool == true)
            let resent = try await again.message()
            // MQTT-4.4.0-1 and MQTT-3.3.1-1: resent with DUP set and the same content.
            #expect(resent["payload"]?.string == "ack me")
            #expect(resent["dup"]?.bool == true)
            #expect(resent["qos"]?.int == 1)
        }
    }

    @Test func receiveMaximumOfTheClientLimitsMessagesInFlight() async throws {
        try await withBroker { broker in
            let topic = uniqueName("window")
            let subscriber = try await PahoPuppet.start(port: broker.port)
            try await subscriber.connect(
                clientID: uniqueName("slow"),
                properties: ["ReceiveMaximum": 2],
                manualAck: true
            )
            try await subscriber.subscribe(topic, qos: 1)
            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("pub"))
            for index in 1...5 {
                try await publisher.publish(topic, "\(index)", qos: 1)
            }
            let first = try await subscriber.message()
            let second = try await subscriber.message()
            #expect([first, second].compactMap { $0["payload"]?.string } == ["1", "2"])
            // A third arrives only after an acknowledgement frees the window (MQTT-3.3.4-7). The
            // publisher's last PUBACK proves the broker already holds all five.
            await #expect(throws: LineBuffer.Timeout.self) { try await subscriber.message(timeout: .milliseconds(500)) }
            subscriber.ack(mid: first["mid"]!.int!, qos: 1)
            let third = try await subscriber.message()
            #expect(third["payload"]?.string == "3")
        }
    }

    /// Makes a persistent 3.1.1 session with a QoS 1 subscription to `topic` (mosquitto_sub -c:
    /// Clean Session 0), drops its connection, then publishes "1" … "count" to it at QoS 1.
    private func publishWhileOffline(_ broker: TestBroker, clientID: String, topic: String, count: Int) async throws {
        let subscriber = try await MosquittoClients.subscribe(
            port: broker.port,
            topics: [topic],
            version: .v311,
            qos: 1,
            clientID: clientID,
            cleanSession: false
        )
        await subscriber.kill()
        for index in 1...count {
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "\(index)",
                version: .v311,
                qos: 1
            )
        }
    }
}
