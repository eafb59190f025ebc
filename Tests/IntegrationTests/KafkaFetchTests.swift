import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
import Testing

/// Records produced by confluent-kafka and by kcat (librdkafka 2.16), with every codec, read by
/// our partition fetch.
@Suite(.serialized) struct KafkaFetchTests {
    /// Every record of every partition of `topic`, read with our client until an empty fetch.
    static func readAll(_ client: KafkaClusterClient, topic: String) async throws -> [KafkaConsumerRecord] {
        var records: [KafkaConsumerRecord] = []
        for partition in try await client.describeTopic(topic).partitions {
            var offset = try await client.listOffset(topic: topic, partition: partition.id, at: .earliest)
            while true {
                let result = try await client.fetch(
                    topic: topic,
                    partition: partition.id,
                    offset: offset,
                    maxBytes: 4096,
                    maxWait: .milliseconds(100)
                )
                if result.records.isEmpty && result.nextOffset == offset { break }
                records += result.records
                offset = result.nextOffset
            }
        }
        return records
    }

    static func codecName(_ codec: CompressionCodec) -> String { codec == .uncompressed ? "none" : codec.name }

    @Test(arguments: CompressionCodec.allCases)
    func recordsFromConfluentKafkaDecode(codec: CompressionCodec) async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let client = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { client.shutdown() }
        try await client.createTopic("from-confluent", partitions: 4)
        let keys = (0..<200).map { "key-\($0)" }
        let lines = try await TansuPython.run(
            TansuScripts.produceKeys,
            [tansu.bootstrap, "from-confluent", Self.codecName(codec)] + keys
        )
        var theirPartitions: [String: Int32] = [:]
        for object in TansuPython.objects(lines) {
            theirPartitions[object["key"] as! String] = Int32(object["partition"] as! Int)
        }

        let records = try await Self.readAll(client, topic: "from-confluent")
        #expect(records.count == keys.count)
        for record in records {
            let key = record.key.map { String(buffer: $0) } ?? ""
            #expect(record.value.map { String(buffer: $0) } == "from-confluent-\(key)")
            #expect(record.headers == [KafkaHeader(key: "origin", value: ByteBuffer(string: "confluent"))])
            #expect(record.timestamp == 1_700_000_000_000)
            #expect(record.topicPartition.partition == theirPartitions[key])
        }
        #expect(Set(records.compactMap { $0.key.map { String(buffer: $0) } }) == Set(keys))
        // Offsets within each partition are dense and rising.
        for partition in Set(records.map(\.topicPartition.partition)) {
            let offsets = records.filter { $0.topicPartition.partition == partition }.map(\.offset)
            #expect(offsets == Array(offsets.indices).map { Int64($0) })
        }
    }

    @Test(arguments: CompressionCodec.allCases)
    func recordsFromKcatDecode(codec: CompressionCodec) async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let client = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { client.shutdown() }
        try await client.createTopic("from-kcat", partitions: 1)
        let kcat = try PeerProcess(
            Peers.repositoryRoot.appendingPathComponent("scripts/kcat").path,
            [
                "-b", tansu.bootstrap, "-P", "-t", "from-kcat", "-p", "0", "-K", ":", "-z",
                Self.codecName(codec), "-H", "origin=kcat",
            ]
        )
        for index in 0..<300 { kcat.send("k\(index % 3):line \(index) \(String(repeating: "z", count: index % 50))") }
        kcat.closeInput()
        let status = try await kcat.waitForExit(timeout: .seconds(30))
        #expect(status == 0)

        let records = try await Self.readAll(client, topic: "from-kcat")
        #expect(records.count == 300)
        for (index, record) in records.enumerated() {
            #expect(record.offset == Int64(index))
            #expect(record.key.map { String(buffer: $0) } == "k\(index % 3)")
            #expect(
                record.value.map { String(buffer: $0) } == "line \(index) \(String(repeating: "z", count: index % 50))"
            )
            #expect(record.headers == [KafkaHeader(key: "origin", value: ByteBuffer(string: "kcat"))])
        }
    }

    @Test func fetchingFromTheMiddleOfACompressedBatchSkipsEarlierRecords() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = [KafkaBrokerAddress(tansu.bootstrap)!]
        let client = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { client.shutdown() }
        try await client.createTopic("middle", partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        configuration.compression = .zstd
        configuration.linger = .milliseconds(50)
        _ = try await KafkaProducerTests.withProducer(configuration) { producer in
            for index in 0..<10 {
                try await producer.send(KafkaProducerMessage(topic: "middle", key: nil, value: "\(index)"))
            }
            await producer.flush()
        }
        let result = try await client.fetch(topic: "middle", partition: 0, offset: 4)
        #expect(result.records.map(\.offset) == Array(4..<10))
        #expect(result.records.map { $0.value.map { String(buffer: $0) } } == (4..<10).map { "\($0)" })
        #expect(result.nextOffset == 10)
    }
}
