import KafkaClient
import Testing

/// The group consumer through a proxy that cuts connections (fetches, heartbeats, commits in
/// flight): every record is still read, none skipped.
@Suite(.serialized) struct KafkaConsumerFaultTests {
    @Test func connectionCutsLoseNoRecord() async throws {
        let proxy = try await TansuProxy.start()
        defer { proxy.stop() }
        let tansu = try await TansuBroker.start(advertisedPort: proxy.port)
        defer { Task { await tansu.stop() } }
        proxy.setTarget(port: tansu.port)
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("cut", partitions: 3)
        try await KafkaConsumerGroupTests.fill(tansu, topic: "cut", partitions: 3, count: 300)

        var configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "cutters", topic: "cut")
        configuration.client.bootstrapServers = [KafkaBrokerAddress(host: "127.0.0.1", port: proxy.port)]
        configuration.client.retryBackoff = .milliseconds(10)
        configuration.client.retryBackoffMax = .milliseconds(200)
        configuration.maxPartitionFetchBytes = 2048  // many small fetches, so cuts hit them
        let harness = try ConsumerHarness(configuration, commitEach: true)
        let assigned = await pollUntil(timeout: .seconds(30)) { harness.assigned.count == 3 }
        #expect(assigned)
        proxy.cut(every: 4_000)
        let complete = await pollUntil(timeout: .seconds(90), interval: .milliseconds(50)) {
            Set(harness.records.map(\.valueText)).count == 900
        }
        proxy.cut(every: nil)
        try await harness.stop()
        #expect(complete)
        #expect(proxy.cuts >= 3)
        // Re-reads are allowed (at least once); gaps are not: per partition, the offsets read
        // cover 0..<300, and each run of them rises by one.
        for partition in Int32(0)..<3 {
            let offsets = harness.records.filter { $0.topicPartition.partition == partition }.map(\.offset)
            #expect(Set(offsets) == Set(0..<300), "partition \(partition)")
            for (previous, next) in zip(offsets, offsets.dropFirst()) where next > previous {
                #expect(next == previous + 1, "partition \(partition): \(previous) then \(next)")
            }
        }
    }
}
