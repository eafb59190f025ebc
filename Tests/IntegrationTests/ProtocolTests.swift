import Broker
import MQTTClient
import MQTTCodec
import NIOCore
import Testing

/// What the broker does with packets no well-behaved client sends, and with timers: checked at
/// the packet level with `MQTTRawConnection`, because a normal client library will not send them.
@Suite(.timeLimit(.minutes(2))) struct ProtocolTests {
    private func connect(
        _ broker: TestBroker,
        _ clientID: String = uniqueName("raw"),
        version: MQTTProtocolVersion = .v5,
        cleanStart: Bool = true,
        keepAlive: UInt16 = 60,
        properties: MQTTProperties = []
    ) async throws -> (MQTTRawConnection, ConnAckPacket) {
        let connection = try await MQTTRawConnection.connect(host: "127.0.0.1", port: broker.port)
        let connect = ConnectPacket(
            protocolVersion: version,
            clientID: clientID,
            cleanStart: cleanStart,
            keepAlive: keepAlive,
            properties: properties
        )
        try await connection.send(.connect(connect), version: version)
        guard case .connack(let connack) = try await connection.receive() else {
            throw TestFailure("expected CONNACK")
        }
        return (connection, connack)
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test func unsupportedProtocolLevelGetsReturnCode1AndClose() async throws {
        try await withBroker { broker in
            let connection = try await MQTTRawConnection.connect(
                host: "127.0.0.1",
                port: broker.port,
                protocolVersion: .v3_1_1
            )
            // CONNECT, protocol name "MQTT", level 6, clean session, keep alive 60, client id "x".
            var bytes = ByteBuffer(bytes: [0x10, 13, 0x00, 0x04])
            bytes.writeString("MQTT")
            bytes.writeBytes([6, 0x02, 0x00, 0x3C, 0x00, 0x01])
            bytes.writeString("x")
            try await connection.sendRaw(bytes)
            let answer = try await connection.receive()
            // MQTT 3.1.1 §3.2.2.3: return code 1, unacceptable protocol level; then close.
            guard case .connack(let connack) = answer else {
                Issue.record("expected CONNACK, got \(String(describing: answer))")
                return
            }
            #expect(connack.reasonCode == .unsupportedProtocolVersion)
            #expect(try await connection.receive() == nil)
        }
    }

    @Test func v311ClientWithoutIdentifierMustAskForACleanSession() async throws {
        try await withBroker { broker in
            let (connection, connack) = try await connect(broker, "", version: .v3_1_1, cleanStart: false)
            // MQTT-3.1.3-8: return code 2, identifier rejected.
            #expect(connack.reasonCode == .clientIdentifierNotValid)
            #expect(try await connection.receive() == nil)
        }
    }

    @Test func secondConnectIsAProtocolError() async throws {
        try await withBroker { broker in
            let (connection, _) = try await connect(broker)
            try await connection.send(.connect(ConnectPacket(clientID: "again")), version: .v5)
            #expect(try await connection.receive() == .disconnect(DisconnectPacket(reasonCode: .protocolError)))
            #expect(try await connection.receive() == nil)
        }
    }

    @Test func malformedPacketGetsDisconnect0x81() async throws {
        try await withBroker { broker in
            let (connection, _) = try await connect(broker)
            // PUBLISH QoS 3 is malformed (MQTT-3.3.1-4).
            try await connection.sendRaw(ByteBuffer(bytes: [0x36, 0x03, 0x00, 0x01, 0x61]))
            let answer = try await connection.receive()
            guard case .disconnect(let disconnect) = answer else {
                Issue.record("expected DISCONNECT, got \(String(describing: answer))")
                return
            }
            #expect(disconnect.reasonCode == .malformedPacket)
            #expect(try await connection.receive() == nil)
        }
    }

    @Test func v311ProtocolViolationJustClosesTheConnection() async throws {
        try await withBroker { broker in
            let (connection, _) = try await connect(broker, version: .v3_1_1)
            try await connection.sendRaw(ByteBuffer(bytes: [0x36, 0x03, 0x00, 0x01, 0x61]))
            #expect(try await connection.receive() == nil)
        }
    }

    @Test func silentSocketIsClosedAfterTheConnectTimeout() async throws {
        try await withBroker(configure: { $0.connectTimeoutSeconds = 1 }) { broker in
            let connection = try await MQTTRawConnection.connect(
                host: "127.0.0.1",
                port: broker.port,
                protocolVersion: .v5
            )
            // Closed by the broker, not by the deadline of this wait.
            try await connection.waitForClose(timeout: .seconds(10))
        }
    }

    @Test func keepAliveTimeoutDisconnectsWith0x8D() async throws {
        try await withBroker { broker in
            let (connection, _) = try await connect(broker, keepAlive: 1)
            // Nothing is sent: after 1.5 × keep-alive the broker gives up (MQTT-3.1.2-22).
            #expect(
                try await connection.receive(timeout: .seconds(5))
                    == .disconnect(DisconnectPacket(reasonCode: .keepAliveTimeout))
            )
        }
    }

    @Test func pingKeepsAConnectionAlive() async throws {
        try await withBroker { broker in
            // 5 s keep-alive (7.5 s allowance): the whole suite runs in parallel on two cores, and a
            // starved test task must not look like a silent client; the loop outlasts one allowance.
            let (connection, _) = try await connect(broker, keepAlive: 5)
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(9) {
                try await connection.send(.pingreq, version: .v5)
                #expect(try await connection.receive() == .pingresp)
                // A client pinging every half second, as a real one would, not a busy loop.
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    @Test func resentQoS2PublishIsRoutedOnlyOnce() async throws {
        try await withBroker { broker in
            let topic = uniqueName("once")
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["\(topic)/#"],
                version: .v5,
                qos: 2
            )
            let (connection, _) = try await connect(broker)
            let publish = PublishPacket(
                topic: topic,
                payload: ByteBuffer(string: "exactly once"),
                qos: .exactlyOnce,
                packetID: 7
            )
            try await connection.send(.publish(publish), version: .v5)
            #expect(try await connection.receive() == .pubrec(PublishFlowPacket(packetID: 7)))
            var again = publish
            again.dup = true
            try await connection.send(.publish(again), version: .v5)
            #expect(try await connection.receive() == .pubrec(PublishFlowPacket(packetID: 7)))
            try await connection.send(.pubrel(PublishFlowPacket(packetID: 7)), version: .v5)
            #expect(try await connection.receive() == .pubcomp(PublishFlowPacket(packetID: 7)))
            // A PUBREL for an identifier the broker does not hold gets 0x92 (MQTT 5.0 §3.7.2.1).
            try await connection.send(.pubrel(PublishFlowPacket(packetID: 7)), version: .v5)
            #expect(
                try await connection.receive()
                    == .pubcomp(PublishFlowPacket(packetID: 7, reasonCode: .packetIdentifierNotFound))
            )

            try await MosquittoClients.publish(
                port: broker.port,
                topic: "\(topic)/marker",
                message: "marker",
                version: .v5,
                qos: 2
            )
            let received: @Sendable () -> [String] = {
                subscriber.lines.compactMap(MosquittoClients.Message.init(line:)).map(\.payload)
            }
            try await PeerProcess.waitUntil([subscriber], "the marker") { received().contains("marker") }
            #expect(received() == ["exactly once", "marker"])
        }
    }

    @Test func tooManyQoS2MessagesAwaitingPubrelExceedReceiveMaximum() async throws {
        try await withBroker(configure: { $0.receiveMaximum = 2 }) { broker in
            let (connection, connack) = try await connect(broker)
            #expect(connack.properties.receiveMaximum == 2)
            for packetID: UInt16 in 1...3 {
                let publish = PublishPacket(
                    topic: "q2",
                    payload: ByteBuffer(string: "m"),
                    qos: .exactlyOnce,
                    packetID: packetID
                )
                try await connection.send(.publish(publish), version: .v5)
            }
            #expect(try await connection.receive() == .pubrec(PublishFlowPacket(packetID: 1)))
            #expect(try await connection.receive() == .pubrec(PublishFlowPacket(packetID: 2)))
            // MQTT-3.3.4-9: the third one is over the Receive Maximum announced in CONNACK.
            #expect(
                try await connection.receive() == .disconnect(DisconnectPacket(reasonCode: .receiveMaximumExceeded))
            )
        }
    }

    @Test func outgoingTopicAliasesAreUsedWhenTheClientAllowsThem() async throws {
        try await withBroker { broker in
            let topic = uniqueName("aliased") + "/a/rather/long/topic/name"
            var properties = MQTTProperties()
            properties.topicAliasMaximum = 4
            let (connection, _) = try await connect(broker, properties: properties)
            try await connection.send(
                .subscribe(SubscribePacket(packetID: 1, subscriptions: [TopicSubscription(topicFilter: topic)])),
                version: .v5
            )
            #expect(try await connection.receive() == .suback(SubAckPacket(packetID: 1, reasonCodes: [.grantedQoS0])))
            for index in 1...2 {
                try await MosquittoClients.publish(port: broker.port, topic: topic, message: "\(index)", version: .v5)
            }
            guard case .publish(let first) = try await connection.receive(),
                case .publish(let second) = try await connection.receive()
            else {
                Issue.record("expected two PUBLISHes")
                return
            }
            // The first carries the topic and sets the alias; the second uses the alias alone
            // (MQTT 5.0 §3.3.2.3.4).
            #expect(first.topic == topic)
            let alias = try #require(first.properties.topicAlias)
            #expect(second.topic.isEmpty)
            #expect(second.properties.topicAlias == alias)
        }
    }

    @Test func queuedMessageThatExpiresWhileOfflineIsNotDelivered() async throws {
        try await withBroker { broker in
            let clientID = uniqueName("expiring")
            var sessionProperties = MQTTProperties()
            sessionProperties.sessionExpiryInterval = 300
            let (first, _) = try await connect(broker, clientID, cleanStart: false, properties: sessionProperties)
            let topic = uniqueName("expiry")
            try await first.send(
                .subscribe(
                    SubscribePacket(
                        packetID: 1,
                        subscriptions: [
                            TopicSubscription(topicFilter: topic, options: SubscriptionOptions(qos: .atLeastOnce))
                        ]
                    )
                ),
                version: .v5
            )
            _ = try await first.receive()
            try await first.send(.disconnect(DisconnectPacket()), version: .v5)
            try await first.waitForClose(timeout: .seconds(5))

            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "short-lived",
                version: .v5,
                qos: 1,
                extra: ["-D", "publish", "message-expiry-interval", "1"]
            )
            try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "durable",
                version: .v5,
                qos: 1
            )
            // The expiry is the behaviour under test: wait until the one-second interval, counted
            // from when the short-lived message was acknowledged at the latest, has passed.
            let expired = ContinuousClock.now + .milliseconds(1_200)
            _ = await pollUntil(interval: .milliseconds(100)) { ContinuousClock.now >= expired }

            let (second, connack) = try await connect(
                broker,
                clientID,
                cleanStart: false,
                properties: sessionProperties
            )
            #expect(connack.sessionPresent)
            guard case .publish(let delivered) = try await second.receive() else {
                Issue.record("expected a PUBLISH")
                return
            }
            // MQTT-3.3.2-5: the expired copy is gone; the other one comes.
            #expect(String(buffer: delivered.payload) == "durable")
        }
    }

    @Test func sessionIsForgottenAfterItsExpiryInterval() async throws {
        try await withBroker { broker in
            let clientID = uniqueName("expires")
            var properties = MQTTProperties()
            // 8 s: long enough that a loaded machine (the whole suite runs in parallel on two
            // cores) still sees the session right after the close.
            properties.sessionExpiryInterval = 8
            let (first, _) = try await connect(broker, clientID, cleanStart: false, properties: properties)
            try await first.send(.disconnect(DisconnectPacket()), version: .v5)
            try await first.waitForClose(timeout: .seconds(5))
            #expect(broker.broker.sessionCount == 1)
            // Session expiry is the behaviour under test: wait for the broker to drop it.
            _ = await pollUntil(timeout: .seconds(30)) { broker.broker.sessionCount == 0 }
            #expect(broker.broker.sessionCount == 0)
            let (_, connack) = try await connect(broker, clientID, cleanStart: false, properties: properties)
            #expect(!connack.sessionPresent)
        }
    }
}
