import KafkaProtocol
import Testing

@testable import KafkaClient

/// The producer against a scripted broker that is "not the leader" at first.
@Suite struct KafkaProducerLeaderTests {
    @Test func notLeaderOrFollowerRefreshesMetadataAndRetries() async throws {
        let broker = try await FakeKafkaBroker.start(metadata: .inOrder, notLeaderAnswers: 2)
        defer { broker.stop() }
        var configuration = KafkaProducerConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.client.retryBackoff = .milliseconds(5)
        let producer = try KafkaProducer(configuration: configuration)
        let running = Task { try await producer.run() }
        let report = try await producer.sendAndAwait(KafkaProducerMessage(topic: "t", key: "k", value: "v"))
        producer.triggerGracefulShutdown()
        try await running.value
        #expect(report.offset == 0)
        #expect(report.topicPartition == TopicPartition(topic: "t", partition: 0))
        let seen = broker.seen
        #expect(seen.produce == 3)
        // The first lookup, then one refresh per NOT_LEADER_OR_FOLLOWER answer.
        #expect(seen.metadata >= 3)
        #expect(seen.producedRecords == 1)
    }
}
