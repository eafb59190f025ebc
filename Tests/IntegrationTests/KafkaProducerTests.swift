import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
import Testing

/// Records produced by our producer, read back by confluent-kafka (librdkafka 2.16).
@Suite(.serialized) struct KafkaProducerTests {
    struct Consumed: Hashable {
        var partition: Int32
        var offset: Int64
        var key: String?
        var value: String?
        var headers: [[String?]]
        var timestamp: Int64
    }

    static func consumed(
        _ tansu: TansuBroker,
        proxyPort: Int? = nil,
        topic: String,
        partitions: Int
    ) async throws -> [Consumed] {
        let bootstrap = proxyPort.map { "127.0.0.1:\($0)" } ?? tansu.bootstrap
        let lines = try await TansuPython.run(TansuScripts.consumeAll, [bootstrap, topic, "\(partitions)"])
        return TansuPython.objects(lines).map { object in
            Consumed(
                partition: Int32(object["partition"] as! Int),
                offset: Int64(object["offset"] as! Int),
                key: object["key"] as? String,
                value: object["value"] as? String,
                headers: (object["headers"] as! [[Any]]).map { $0.map { $0 as? String } },
                timestamp: Int64(object["timestamp"] as! Int)
            )
        }
    }

    /// Runs a producer for `body`, then shuts it down gracefully and waits for it to finish.
    static func withProducer<T: Sendable>(
        _ configuration: KafkaProducerConfiguration,
        _ body: (KafkaProducer) async throws -> T
    ) async throws -> T {
        let producer = try KafkaProducer(configuration: configuration)
        let running = Task { try await producer.run() }
        do {
            let result = try await body(producer)
            producer.triggerGracefulShutdown()
            try await running.value
            return result
        } catch {
            producer.triggerGracefulShutdown()
            _ = try? await running.value
            throw error
        }
    }

    @Test(arguments: CompressionCodec.allCases)
    func keysHeadersAndTimestampsArriveIntactAndInOrder(codec: CompressionCodec) async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        try await admin.createTopic("records", partitions: 3)

        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        configuration.compression = codec
        configuration.batchSize = 4096  // several batches per partition in flight
        let count = 600
        let reports = try await Self.withProducer(configuration) { producer in
            var ids: [KafkaProducerMessageID] = []
            for index in 0..<count - 1 {
                let message = KafkaProducerMessage(
                    topic: "records",
                    key: "device-\(index % 7)",
                    value: "value-\(index)",
                    headers: [
                        KafkaHeader(key: "index", value: ByteBuffer(string: "\(index)")),
                        KafkaHeader(key: "empty", value: nil),
                    ],
                    timestamp: 1_700_000_000_000 + Int64(index)
                )
                ids.append(try await producer.send(message))
            }
            // The last one awaited: the producer keeps order, so all before it are acknowledged too.
            let last = try await producer.sendAndAwait(
                KafkaProducerMessage(
                    topic: "records",
                    key: nil,
                    value: "value-\(count - 1)",
                    timestamp: 1_700_000_001_000
                )
            )
            return (ids, last)
        }
        #expect(reports.0.count == count - 1)
        #expect(reports.1.offset >= 0)

        let records = try await Self.consumed(tansu, topic: "records", partitions: 3)
        #expect(records.count == count)
        let byValue = Dictionary(records.map { ($0.value!, $0) }, uniquingKeysWith: { first, _ in first })
        for index in 0..<count - 1 {
            guard let record = byValue["value-\(index)"] else {
                Issue.record("value-\(index) missing")
                continue
            }
            #expect(record.key == "device-\(index % 7)")
            #expect(record.headers == [["index", "\(index)"], ["empty", nil]])
            #expect(record.timestamp == 1_700_000_000_000 + Int64(index))
            let expected = KafkaPartitioner.partition(
                forKey: ByteBuffer(string: "device-\(index % 7)"),
                partitionCount: 3
            )
            #expect(record.partition == expected)
        }
        #expect(byValue["value-\(count - 1)"]?.key == nil)
        #expect(byValue["value-\(count - 1)"]?.partition == reports.1.topicPartition.partition)
        #expect(byValue["value-\(count - 1)"]?.offset == reports.1.offset)
        // Per key, offsets rise with the send order.
        for key in 0..<7 {
            let values = records.filter { $0.key == "device-\(key)" }.sorted { $0.offset < $1.offset }
                .map { Int($0.value!.dropFirst("value-".count))! }
            #expect(values == values.sorted())
            #expect(values.count == (0..<count - 1).filter { $0 % 7 == key }.count)
        }
    }

    @Test func partitionOfEachKeyIsTheOneConfluentKafkaChooses() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        try await admin.createTopic("ours", partitions: 11)
        try await admin.createTopic("theirs", partitions: 11)
        let keys = (0..<60).map { "key-\($0)-\(String(repeating: "x", count: $0 % 9))" }

        let ours = try await Self.withProducer(KafkaProducerConfiguration(bootstrapServers: bootstrap)) { producer in
            var partitions: [String: Int32] = [:]
            for key in keys {
                let report = try await producer.sendAndAwait(KafkaProducerMessage(topic: "ours", key: key, value: key))
                partitions[key] = report.topicPartition.partition
            }
            return partitions
        }
        let lines = try await TansuPython.run(TansuScripts.produceKeys, [tansu.bootstrap, "theirs", "none"] + keys)
        var theirs: [String: Int32] = [:]
        for object in TansuPython.objects(lines) {
            theirs[object["key"] as! String] = Int32(object["partition"] as! Int)
        }
        #expect(theirs.count == keys.count)
        #expect(ours == theirs)
        #expect(Set(ours.values).count > 5)
    }

    @Test func acksZeroAndOneDeliverWithoutIdempotence() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        try await admin.createTopic("acks", partitions: 1)
        for acks in [KafkaProducerConfiguration.Acks.none, .leader] {
            var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
            configuration.acks = acks
            let report = try await Self.withProducer(configuration) { producer in
                for index in 0..<50 {
                    try await producer.send(KafkaProducerMessage(topic: "acks", key: nil, value: "\(acks)-\(index)"))
                }
                await producer.flush()
                return try await producer.sendAndAwait(
                    KafkaProducerMessage(topic: "acks", key: nil, value: "\(acks)-last")
                )
            }
            #expect((report.offset >= 0) == (acks == .leader))
        }
        let records = try await Self.consumed(tansu, topic: "acks", partitions: 1)
        #expect(
            records.map(\.value)
                == (["none", "leader"].flatMap { acks in (0..<50).map { "\(acks)-\($0)" } + ["\(acks)-last"] })
        )
    }

    @Test func aSmallBufferMakesSendWaitAndEverythingArrives() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        try await admin.createTopic("small-buffer", partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        configuration.bufferMemory = 8192  // about 60 records of 100 bytes
        configuration.batchSize = 2048
        let value = String(repeating: "b", count: 100)
        let count = 3000
        let report = try await Self.withProducer(configuration) { producer in
            for index in 0..<count - 1 {
                try await producer.send(
                    KafkaProducerMessage(topic: "small-buffer", key: nil, value: "\(index) \(value)")
                )
            }
            return try await producer.sendAndAwait(
                KafkaProducerMessage(topic: "small-buffer", key: nil, value: "\(count - 1) \(value)")
            )
        }
        #expect(report.offset == Int64(count - 1))
        let records = try await Self.consumed(tansu, topic: "small-buffer", partitions: 1)
        #expect(records.map(\.value) == (0..<count).map { "\($0) \(value)" })
    }

    @Test func sendingToAMissingTopicFailsWithATypedError() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        var configuration = KafkaProducerConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        configuration.client.operationTimeout = .milliseconds(500)
        let error = await #expect(throws: KafkaError.self) {
            try await Self.withProducer(configuration) { producer in
                try await producer.send(KafkaProducerMessage(topic: "nowhere", key: "k", value: "v"))
            }
        }
        #expect(error?.code == .unknownTopicOrPartition)
    }
}
