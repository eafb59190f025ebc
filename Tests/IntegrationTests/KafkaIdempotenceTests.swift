import KafkaClient
import NIOConcurrencyHelpers
import NIOCore
import Testing

/// The idempotent producer through a proxy that cuts connections while batches are in flight:
/// every record is in Kafka exactly once, in order per key.
@Suite(.serialized) struct KafkaIdempotenceTests {
    @Test func connectionCutsCauseNoDuplicateAndNoGap() async throws {
        let proxy = try await TansuProxy.start()
        defer { proxy.stop() }
        let tansu = try await TansuBroker.start(advertisedPort: proxy.port)
        defer { Task { await tansu.stop() } }
        proxy.setTarget(port: tansu.port)
        let bootstrap = [KafkaBrokerAddress(host: "127.0.0.1", port: proxy.port)]
        let admin = try KafkaClusterClient(configuration: KafkaClientConfiguration(bootstrapServers: bootstrap))
        defer { admin.shutdown() }
        try await admin.createTopic("exactly-once", partitions: 3)

        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        configuration.batchSize = 2048
        configuration.linger = .milliseconds(1)
        configuration.client.retryBackoff = .milliseconds(10)
        configuration.client.retryBackoffMax = .milliseconds(100)
        let failures = NIOLockedValueBox<[String]>([])
        let producer = try KafkaProducer(configuration: configuration) { result in
            if case .failure(let failure) = result { failures.withLockedValue { $0.append("\(failure.error)") } }
        }
        let running = Task { try await producer.run() }

        let keys = 10
        let perKey = 1000
        proxy.cut(every: 25_000)
        for sequence in 0..<perKey {
            for key in 0..<keys {
                try await producer.send(
                    KafkaProducerMessage(topic: "exactly-once", key: "key-\(key)", value: "\(sequence)")
                )
            }
        }
        await producer.flush()
        proxy.cut(every: nil)
        producer.triggerGracefulShutdown()
        try await running.value

        #expect(failures.withLockedValue { $0 }.isEmpty, "\(failures.withLockedValue { $0.prefix(3) })")
        #expect(proxy.cuts >= 5)

        let records = try await KafkaProducerTests.consumed(
            tansu,
            proxyPort: proxy.port,
            topic: "exactly-once",
            partitions: 3
        )
        #expect(records.count == keys * perKey)
        for key in 0..<keys {
            let values = records.filter { $0.key == "key-\(key)" }.sorted { $0.offset < $1.offset }.map {
                Int($0.value!)!
            }
            #expect(values == Array(0..<perKey), "key-\(key): \(values.count) records")
        }
    }
}
