import Bridge
import Broker
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import Testing

/// MQTT → Kafka through tansu, with independent clients on both sides: mosquitto_pub and paho
/// publish, confluent-kafka (librdkafka 2.16) reads what arrived.
@Suite(.serialized) struct KafkaBridgeTests {
    /// A tansu, topics made with our admin client, a running bridge with `mappings`, and a broker
    /// that feeds it; all stopped when `body` returns.
    private func withBridge<T: Sendable>(
        topics: [(String, Int32)],
        mappings: [BridgeMappingSettings],
        _ body: (TansuBroker, TestBroker, MQTTKafkaBridge) async throws -> T
    ) async throws -> T {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        for (topic, partitions) in topics {
            try await admin.createTopic(topic, partitions: partitions)
        }
        var logger = Logger(label: "test.bridge")
        logger.logLevel = .critical
        let bridge = try MQTTKafkaBridge(
            clusters: [BridgeCluster(name: "main", producer: KafkaProducerConfiguration(bootstrapServers: bootstrap))],
            mappings: mappings,
            logger: logger
        )
        let running = Task { try await bridge.run() }
        let broker = try await TestBroker.start(bridge: bridge)
        do {
            let result = try await body(tansu, broker, bridge)
            try await broker.stop()
            running.cancel()
            _ = try? await running.value
            return result
        } catch {
            try? await broker.stop()
            running.cancel()
            _ = try? await running.value
            throw error
        }
    }

    private func header(_ name: String, in record: KafkaProducerTests.Consumed) -> String? {
        record.headers.first { $0.first == name }?.last ?? nil
    }

    @Test func recordsGetTopicKeyValueAndHeadersFromTheirMappings() async throws {
        let mappings = [
            BridgeMappingSettings(
                name: "telemetry",
                cluster: "main",
                mqttTopicFilters: ["site/+/generator/+/telemetry"],
                kafkaTopic: "generator-telemetry",
                key: "${topic[1]}-${topic[3]}"
            ),
            BridgeMappingSettings(
                name: "everything",
                cluster: "main",
                mqttTopicFilters: ["site/#"],
                kafkaTopic: "${topic[0]}-all",
                key: "${clientid}"
            ),
        ]
        try await withBridge(topics: [("generator-telemetry", 3), ("site-all", 1)], mappings: mappings) {
            tansu,
            broker,
            _ in
            // 3.1.1 through mosquitto_pub: its exit means the PUBACK came, so Kafka has the record.
            let published = try await MosquittoClients.publish(
                port: broker.port,
                topic: "site/42/generator/7/telemetry",
                message: #"{"fuel": 0.8}"#,
                qos: 1,
                extra: ["-i", "gen-7"]
            )
            #expect(published.status == 0)
            // 5.0 through paho, with properties that become headers.
            let paho = try await PahoPuppet.start(port: broker.port)
            try await paho.connect(clientID: "gen-8")
            let code = try await paho.publish(
                "site/42/generator/8/telemetry",
                "fuel=0.5",
                qos: 1,
                properties: ["ContentType": "text/plain", "UserProperty": [["unit", "litre"]]]
            )
            #expect(code == 0)
            // Not a telemetry topic: only the catch-all mapping takes it.
            #expect(try await paho.publish("site/42/door", "open", qos: 1) == 0)

            let telemetry = try await KafkaProducerTests.consumed(tansu, topic: "generator-telemetry", partitions: 3)
            let byKey = Dictionary(uniqueKeysWithValues: telemetry.map { ($0.key ?? "", $0) })
            #expect(Set(byKey.keys) == ["42-7", "42-8"])
            let fromMosquitto = try #require(byKey["42-7"])
            #expect(fromMosquitto.value == #"{"fuel": 0.8}"#)
            #expect(header("mqtt.topic", in: fromMosquitto) == "site/42/generator/7/telemetry")
            #expect(header("mqtt.client-id", in: fromMosquitto) == "gen-7")
            #expect(header("mqtt.qos", in: fromMosquitto) == "1")
            #expect(header("mqtt.retain", in: fromMosquitto) == "false")
            let fromPaho = try #require(byKey["42-8"])
            #expect(fromPaho.value == "fuel=0.5")
            #expect(header("mqtt.content-type", in: fromPaho) == "text/plain")
            #expect(header("unit", in: fromPaho) == "litre")

            let all = try await KafkaProducerTests.consumed(tansu, topic: "site-all", partitions: 1)
            #expect(all.map(\.value) == [#"{"fuel": 0.8}"#, "fuel=0.5", "open"])
            #expect(all.map(\.key) == ["gen-7", "gen-8", "gen-8"])
        }
    }

    @Test func manyPublishersKeepTheirOrderAndNothingIsLostOrDoubled() async throws {
        let publishers = 20
        let perPublisher = 5_000
        let mappings = [
            BridgeMappingSettings(
                name: "numbers",
                cluster: "main",
                mqttTopicFilters: ["count/+"],
                kafkaTopic: "numbers",
                key: "${clientid}"
            )
        ]
        try await withBridge(topics: [("numbers", 4)], mappings: mappings) { tansu, broker, bridge in
            // Twenty mosquitto_pub processes at once, each numbering its own QoS 1 messages.
            var processes: [PeerProcess] = []
            for publisher in 0..<publishers {
                let process = try PeerProcess(
                    Peers.mosquittoPub,
                    [
                        "-h", "127.0.0.1", "-p", "\(broker.port)", "-V", "mqttv311", "-q", "1", "-i", "p\(publisher)",
                        "-t", "count/p\(publisher)", "-l",
                    ]
                )
                for number in 1...perPublisher { process.send("p\(publisher):\(number)") }
                process.closeInput()
                processes.append(process)
            }
            for process in processes {
                #expect(try await process.waitForExit(timeout: .seconds(120)) == 0)
            }
            #expect(bridge.statistics.first?.acknowledged == publishers * perPublisher)
            // Every acknowledged record was timed (the figure itself is for benchmarks, not tests).
            #expect((bridge.statistics.first?.latencyP99Milliseconds ?? 0) > 0)

            let records = try await KafkaProducerTests.consumed(tansu, topic: "numbers", partitions: 4)
            #expect(records.count == publishers * perPublisher)
            var seen: [String: [Int]] = [:]
            for record in records.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
                let parts = (record.value ?? "").split(separator: ":")
                #expect(record.key == String(parts[0]))
                seen[String(parts[0]), default: []].append(Int(parts[1]) ?? -1)
            }
            for publisher in 0..<publishers {
                #expect(seen["p\(publisher)"] == Array(1...perPublisher), "p\(publisher)")
            }
        }
    }

    @Test func aMappingCanDropHeadersAndCompressWithItsOwnProducer() async throws {
        let mappings = [
            BridgeMappingSettings(
                name: "plain",
                cluster: "main",
                mqttTopicFilters: ["meter/+"],
                kafkaTopic: "meters",
                key: "${payload.id}",
                headers: false,
                producer: ProducerOverrides(compression: .zstd, linger: .milliseconds(1))
            )
        ]
        try await withBridge(topics: [("meters", 1)], mappings: mappings) { tansu, broker, _ in
            let published = try await MosquittoClients.publish(
                port: broker.port,
                topic: "meter/7",
                message: #"{"id": "m-7", "kwh": 12.5}"#,
                qos: 1
            )
            #expect(published.status == 0)
            let records = try await KafkaProducerTests.consumed(tansu, topic: "meters", partitions: 1)
            #expect(records.map(\.key) == ["m-7"])
            #expect(records.map(\.value) == [#"{"id": "m-7", "kwh": 12.5}"#])
            #expect(records.first?.headers.isEmpty == true)
        }
    }

    @Test func aMissingTopicIsCreatedWhenTheMappingSaysSoAndRefusedAtOnceOtherwise() async throws {
        let mappings = [
            BridgeMappingSettings(
                name: "created",
                cluster: "main",
                mqttTopicFilters: ["new/+"],
                kafkaTopic: "made-${topic[1]}",
                producer: ProducerOverrides(autoCreatePartitions: 2)
            ),
            BridgeMappingSettings(
                name: "strict",
                cluster: "main",
                mqttTopicFilters: ["old/+"],
                kafkaTopic: "kept-${topic[1]}"
            ),
        ]
        try await withBridge(topics: [("kept-a", 1)], mappings: mappings) { tansu, broker, _ in
            let paho = try await PahoPuppet.start(port: broker.port)
            try await paho.connect(clientID: uniqueName("topics"))
            #expect(try await paho.publish("new/x", "first of its topic", qos: 1) == 0)
            #expect(try await paho.publish("old/a", "to a topic that exists", qos: 1) == 0)
            // No such topic and no auto-create: refused at once, not after the producer's timeout,
            // and the records behind it are not held up.
            #expect(try await paho.publish("old/b", "nowhere to go", qos: 1) == 0x80)
            #expect(try await paho.publish("new/x", "second", qos: 1) == 0)
            let created = try await KafkaProducerTests.consumed(tansu, topic: "made-x", partitions: 2)
            #expect(created.compactMap(\.value).sorted() == ["first of its topic", "second"])
            let kept = try await KafkaProducerTests.consumed(tansu, topic: "kept-a", partitions: 1)
            #expect(kept.map(\.value) == ["to a topic that exists"])
        }
    }

    @Test func anIngestOnlyListenerFeedsKafkaAndNothingElse() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        try await admin.createTopic("ingested", partitions: 1)
        var logger = Logger(label: "test.bridge")
        logger.logLevel = .critical
        let bridge = try MQTTKafkaBridge(
            clusters: [BridgeCluster(name: "main", producer: KafkaProducerConfiguration(bootstrapServers: bootstrap))],
            mappings: [
                BridgeMappingSettings(name: "all", cluster: "main", mqttTopicFilters: ["#"], kafkaTopic: "ingested")
            ],
            logger: logger
        )
        let running = Task { try await bridge.run() }
        defer { running.cancel() }
        var configuration = BrokerConfiguration()
        configuration.listeners = [
            .init(host: "127.0.0.1", port: 0),
            .init(host: "127.0.0.1", port: 0, ingestOnly: true),
        ]
        configuration.eventLoopThreads = 2
        configuration.systemTopicsIntervalSeconds = 0
        let broker = try MQTTBroker(configuration: configuration, bridge: bridge, logger: logger)
        let ports = try await broker.start().map { $0.port! }
        do {
            let topic = uniqueName("ingest") + "/reading"
            // A subscriber on the ordinary listener, to see that nothing is routed locally.
            let local = try await MosquittoClients.subscribe(port: ports[0], topics: [topic], qos: 1)
            let device = try await PahoPuppet.start(port: ports[1])
            try await device.connect(clientID: uniqueName("ingest"))
            #expect(try await device.subscribe(topic, qos: 1) == [0x87])
            #expect(try await device.publish(topic, "to kafka only", qos: 1) == 0)
            let records = try await KafkaProducerTests.consumed(tansu, topic: "ingested", partitions: 1)
            #expect(records.map(\.value) == ["to kafka only"])
            // The same topic from the ordinary listener reaches the local subscriber, and it is the
            // first message that subscriber sees.
            try await MosquittoClients.publish(port: ports[0], topic: topic, message: "local", qos: 1)
            #expect(try await MosquittoClients.messages(1, from: local).map(\.payload) == ["local"])
            await local.kill()
            try await broker.shutdown()
        } catch {
            try? await broker.shutdown()
            throw error
        }
    }

    @Test func aLastWillGoesToKafkaToo() async throws {
        let mappings = [
            BridgeMappingSettings(
                name: "status",
                cluster: "main",
                mqttTopicFilters: ["site/+/generator/+/status"],
                kafkaTopic: "generator-status",
                key: "${clientid}"
            )
        ]
        try await withBridge(topics: [("generator-status", 1)], mappings: mappings) { tansu, broker, _ in
            let device = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [uniqueName("commands")],
                clientID: "gen-9",
                extra: ["--will-topic", "site/42/generator/9/status", "--will-payload", "offline", "--will-qos", "1"]
            )
            // Killed: no DISCONNECT, so the broker publishes the Will.
            await device.kill()
            let deadline = ContinuousClock.now + .seconds(20)
            var records: [KafkaProducerTests.Consumed] = []
            while records.isEmpty, ContinuousClock.now < deadline {
                records = try await KafkaProducerTests.consumed(tansu, topic: "generator-status", partitions: 1)
            }
            #expect(records.map(\.value) == ["offline"])
            #expect(records.map(\.key) == ["gen-9"])
        }
    }

    @Test func aRecordKafkaCannotTakeGivesAV5PublisherAReasonCode() async throws {
        let mappings = [
            BridgeMappingSettings(
                name: "per-device",
                cluster: "main",
                mqttTopicFilters: ["dev/+"],
                kafkaTopic: "dev-${topic[1]}"
            )
        ]
        try await withBridge(topics: [("dev-ok", 1)], mappings: mappings) { tansu, broker, _ in
            let paho = try await PahoPuppet.start(port: broker.port)
            try await paho.connect(clientID: uniqueName("dev"))
            // "dev-has space" is no Kafka topic name: 0x80 with a reason, not a false success.
            #expect(try await paho.publish("dev/has space", "x", qos: 1) == 0x80)
            #expect(try await paho.publish("dev/ok", "y", qos: 1) == 0)
            let records = try await KafkaProducerTests.consumed(tansu, topic: "dev-ok", partitions: 1)
            #expect(records.map(\.value) == ["y"])
        }
    }
}
