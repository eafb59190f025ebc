import Foundation
import Testing

/// `tributary kafka consume --group` (the built binary) against tansu: it commits what it
/// printed, so a second run continues exactly where the first stopped.
@Suite(.serialized) struct KafkaConsumeGroupToolTests {
    @Test func aSecondRunContinuesAfterWhatTheFirstPrinted() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = ["--bootstrap", tansu.bootstrap]
        _ = try await KafkaToolTests.run(["topics"] + bootstrap + ["--create", "cli-group", "--partitions", "3"])
        try await KafkaConsumerGroupTests.fill(tansu, topic: "cli-group", partitions: 3, count: 100)

        let first = try await KafkaToolTests.run(
            ["consume"] + bootstrap + ["--topic", "cli-group", "--group", "cli", "--from-beginning", "--count", "200"]
        )
        let firstRecords = first.filter { $0.hasPrefix("p") }
        #expect(firstRecords.count == 200)

        try await KafkaConsumerGroupTests.fill(tansu, topic: "cli-group", partitions: 3, count: 50, from: 100)
        // The committed offsets decide where it starts; --from-beginning only applies to a
        // partition the first run printed nothing of (its records were fetched, not committed).
        let second = try await KafkaToolTests.run(
            ["consume"] + bootstrap
                + ["--topic", "cli-group", "--group", "cli", "--from-beginning", "--count", "250", "--verbose"]
        )
        let secondRecords = second.compactMap { $0.split(separator: "\t").last.map(String.init) }.filter {
            $0.hasPrefix("p")
        }
        #expect(secondRecords.count == 250)
        #expect(second.allSatisfy { $0.split(separator: "\t", omittingEmptySubsequences: false).count == 5 })
        #expect(Set(firstRecords).isDisjoint(with: Set(secondRecords)))
        let expected = Set((0..<3).flatMap { partition in (0..<150).map { "p\(partition)-\($0)" } })
        #expect(Set(firstRecords).union(secondRecords) == expected)
    }
}
