import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import MQTTClient

/// Against a real Mosquitto 2.0: pipelining, persistent sessions, keep-alive, topic aliases,
/// backpressure and the raw connection.
@Suite("Mosquitto: flows")
struct MosquittoFlowTests {
    @Test func tenThousandPipelinedQoS1PublishesAreAcknowledgedAndReceivedInOrder() async throws {
        try await Mosquitto.with(config: ["max_queued_messages 0"]) { broker in
            let topic = uniqueTopic()
            let subscriber = makeClient(broker, "sub", version: .v5)
            let publisher = makeClient(broker, "pub", version: .v5)
            try await subscriber.connect()
            let connack = try await publisher.connect()
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])
            let collector = MessageCollector(subscriber.messages)

            // Mosquitto allows 20 in flight: most of the 10,000 wait in the client's queue.
            #expect(connack.properties.receiveMaximum == 20)
            let count = 10_000
            let outcomes = NIOLockedValueBox((succeeded: 0, failed: [String]()))
            for index in 0..<count {
                publisher.publish(topic: topic, payload: ByteBuffer(string: "\(index)"), qos: .atLeastOnce) { result in
                    outcomes.withLockedValue {
                        switch result {
                        case .success(let ack) where ack.isSuccess: $0.succeeded += 1
                        case .success(let ack): $0.failed.append("\(ack.reasonCode)")
                        case .failure(let error): $0.failed.append("\(error)")
                        }
                    }
                }
            }
            try await waitUntil(seconds: 60, "all PUBACKs") {
                outcomes.withLockedValue { $0.succeeded + $0.failed.count == count }
            }
            #expect(outcomes.withLockedValue { $0.failed }.isEmpty)

            let received = try await collector.waitFor(count, seconds: 60)
            #expect(received.count == count)
            #expect(received.map { String(buffer: $0.payload) } == (0..<count).map { "\($0)" })
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test func thousandsOfConcurrentPublishTasksAllComplete() async throws {
        // Mosquitto drops messages beyond 1,000 queued per client unless told otherwise.
        try await Mosquitto.with(config: ["max_queued_messages 0"]) { broker in
            let topic = uniqueTopic()
            let subscriber = makeClient(broker, "sub", version: .v3_1_1)
            // 3.1.1 has no Receive Maximum, yet Mosquitto takes at most max_inflight_messages (20)
            // unreleased QoS 2 PUBLISHes and drops a client that sends more: the client's own
            // limit is for such servers.
            let publisher = makeClient(broker, "pub", version: .v3_1_1) { $0.maximumInFlight = 20 }
            try await subscriber.connect()
            try await publisher.connect()
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .exactlyOnce))])
            let collector = MessageCollector(subscriber.messages)
            // Ends with the reason should the publisher's connection fail.
            let publisherEnd = MessageCollector(publisher.messages)
            defer { if let error = publisherEnd.endError { Issue.record("publisher connection ended: \(error)") } }

            let count = 3_000
            let results = try await withThrowingTaskGroup(of: PublishResult.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await publisher.publish(
                            topic: topic,
                            payload: ByteBuffer(string: "\(index)"),
                            qos: index.isMultiple(of: 2) ? .atLeastOnce : .exactlyOnce
                        )
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == count)
            #expect(results.filter { !$0.isSuccess }.isEmpty)
            let received = try await collector.waitFor(count, seconds: 60)
            #expect(Set(received.map { String(buffer: $0.payload) }).count == count)
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test(arguments: [MQTTProtocolVersion.v3_1_1, .v5])
    func unacknowledgedMessageIsRedeliveredWithDupOnResumedSession(version: MQTTProtocolVersion) async throws {
        try await Mosquitto.with { broker in
            let topic = uniqueTopic()
            let subscriber = makeClient(broker, "persistent-\(version)", version: version) {
                $0.cleanStart = false
                $0.sessionExpiryInterval = 300
                $0.acknowledgementMode = .manual
            }
            let connack = try await subscriber.connect()
            #expect(!connack.sessionPresent)
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])
            let firstConnection = MessageCollector(subscriber.messages)

            let publisher = makeClient(broker, "pub", version: .v5)
            try await publisher.connect()
            try await publisher.publish(topic: topic, payload: ByteBuffer(string: "once"), qos: .atLeastOnce)

            let original = try #require(try await firstConnection.waitFor(1).first)
            #expect(!original.dup)
            // Not acknowledged: drop the connection the way a network failure would.
            await subscriber.close()
            #expect(try await firstConnection.waitForEnd() == nil)

            // The same client object reconnects; the session and the message are still there.
            let resumed = try await subscriber.connect()
            #expect(resumed.sessionPresent)
            let secondConnection = MessageCollector(subscriber.messages)
            let redelivered = try #require(try await secondConnection.waitFor(1).first)
            #expect(redelivered.dup)
            #expect(redelivered.payload == ByteBuffer(string: "once"))
            #expect(redelivered.packetID == original.packetID)
            subscriber.acknowledge(redelivered)

            // Acknowledged now: after another reconnection only new messages arrive.
            await subscriber.close()
            try await subscriber.connect()
            let thirdConnection = MessageCollector(subscriber.messages)
            try await publisher.publish(topic: topic, payload: ByteBuffer(string: "marker"), qos: .atLeastOnce)
            let next = try #require(try await thirdConnection.waitFor(1).first)
            #expect(next.payload == ByteBuffer(string: "marker"))
            subscriber.acknowledge(next)
            try await subscriber.disconnect()
            try await publisher.disconnect()
        }
    }

    @Test func serverKeepAliveIsHonoured() async throws {
        // Mosquitto tells 5.0 clients asking for more than max_keepalive to use max_keepalive
        // (10 s at least), and drops clients silent for 1.5 times that.
        try await Mosquitto.with(config: ["max_keepalive 10"]) { broker in
            let client = makeClient(broker, "pinger", version: .v5) { $0.keepAlive = 60 }
            let connack = try await client.connect()
            #expect(connack.properties.serverKeepAlive == 10)
            // With our own 60 s no PINGREQ would go out for a minute.
            try await waitUntil(seconds: 14, "a PINGRESP") { client.pingResponsesReceived >= 1 }
            #expect(client.isConnected)
            let result = try await client.publish(topic: "alive", payload: ByteBuffer(string: "x"), qos: .atLeastOnce)
            #expect(result.isSuccess)
            try await client.disconnect()
        }
    }

    @Test func outgoingTopicAliasesReachSubscribersWithTheirTopics() async throws {
        try await Mosquitto.with { broker in
            let topicA = uniqueTopic() + "/a"
            let topicB = topicA + "/b"
            let subscriber = makeClient(broker, "sub", version: .v3_1_1)
            try await subscriber.connect()
            try await subscriber.subscribe([
                TopicSubscription(topicFilter: topicA, options: .init(qos: .atLeastOnce)),
                TopicSubscription(topicFilter: topicB, options: .init(qos: .atLeastOnce)),
            ])
            let collector = MessageCollector(subscriber.messages)

            let publisher = makeClient(broker, "pub", version: .v5) { $0.useTopicAliases = true }
            let connack = try await publisher.connect()
            #expect((connack.properties.topicAliasMaximum ?? 0) > 0)
            let topics = [topicA, topicA, topicB, topicA, topicB]
            for (index, topic) in topics.enumerated() {
                let result = try await publisher.publish(
                    topic: topic,
                    payload: ByteBuffer(string: "\(index)"),
                    qos: .atLeastOnce
                )
                #expect(result.isSuccess)
            }
            #expect(publisher.outgoingTopicAliasCount == 2)
            let received = try await collector.waitFor(topics.count)
            #expect(received.map(\.topic) == topics)
            #expect(received.map { String(buffer: $0.payload) } == ["0", "1", "2", "3", "4"])
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test func slowConsumerPausesReadingWithoutLosingMessages() async throws {
        try await Mosquitto.with(config: ["max_queued_messages 0"]) { broker in
            let topic = uniqueTopic()
            let subscriber = makeClient(broker, "slow", version: .v5) { $0.messageBufferSize = 8 }
            try await subscriber.connect()
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])

            let publisher = makeClient(broker, "pub", version: .v5)
            try await publisher.connect()
            let count = 2_000
            let payload = ByteBuffer(repeating: 0x61, count: 1_000)
            for index in 0..<count {
                var message = payload
                let digits = String(index)
                message.setString(String(repeating: "0", count: 6 - digits.count) + digits, at: 0)
                publisher.publish(topic: topic, payload: message, qos: .atLeastOnce) { _ in }
            }
            // Consume only after everything was sent: the buffer of 8 filled long ago and reading
            // paused; every message must still arrive, in order.
            try await waitUntil(seconds: 60, "publisher drained") { await publisher.queuedAndInFlight() == 0 }
            let messages = subscriber.messages
            let received = try await withDeadline(seconds: 60, "slow consumer") {
                var indices: [Int] = []
                for try await message in messages {
                    indices.append(
                        Int(message.payload.getString(at: message.payload.readerIndex, length: 6) ?? "") ?? -1
                    )
                    if indices.count == count { break }
                }
                return indices
            }
            #expect(received == Array(0..<count))
            try await publisher.disconnect()
            try await subscriber.disconnect()
        }
    }

    @Test func rawConnectionSeesExactBrokerBehaviour() async throws {
        try await Mosquitto.with { broker in
            let raw = try await MQTTRawConnection.connect(host: "127.0.0.1", port: broker.port)
            try await raw.send(.connect(ConnectPacket(protocolVersion: .v5, clientID: "raw")), version: .v5)
            guard case .connack(let connack) = try await raw.receive() else {
                Issue.record("expected CONNACK")
                return
            }
            #expect(connack.reasonCode == .success)

            try await raw.send(
                .publish(
                    PublishPacket(topic: "raw/t", payload: ByteBuffer(string: "x"), qos: .atLeastOnce, packetID: 77)
                ),
                version: .v5
            )
            guard case .puback(let ack) = try await raw.receive() else {
                Issue.record("expected PUBACK")
                return
            }
            #expect(ack.packetID == 77)

            // Nothing more arrives until we ask.
            await #expect(throws: MQTTClientError(.timeout)) { try await raw.receive(timeout: .milliseconds(200)) }

            // A second CONNECT is a protocol error (MQTT-3.1.0-2): the broker closes the connection.
            try await raw.send(.connect(ConnectPacket(protocolVersion: .v5, clientID: "raw")), version: .v5)
            while let packet = try await raw.receive() {
                // Mosquitto may say why before closing.
                guard case .disconnect(let disconnect) = packet else {
                    Issue.record("unexpected \(packet)")
                    break
                }
                #expect(disconnect.reasonCode == .protocolError)
            }
            try await raw.waitForClose()
            #expect(!raw.isOpen)
        }
    }

    @Test func rawConnectionReportsGarbageAnswersAndCloses() async throws {
        try await Mosquitto.with { broker in
            let raw = try await MQTTRawConnection.connect(
                host: "127.0.0.1",
                port: broker.port,
                protocolVersion: .v3_1_1
            )
            // Reserved packet type 0 as the very first byte: the broker drops the connection.
            try await raw.sendRaw(ByteBuffer(bytes: [0x00, 0x00]))
            #expect(try await raw.receive() == nil)
            try await raw.waitForClose(timeout: .seconds(5))
        }
    }
}

extension MQTTClient {
    func queuedAndInFlight() async -> Int { self.inFlightAndQueued }
}
