import Foundation
import KafkaClient
import KafkaProtocol
import NIOCore
import Testing

/// Several members in one group: ours with ours, ours with confluent-kafka; restarts resume
/// from the committed offsets.
@Suite(.serialized) struct KafkaConsumerGroupTests {
    /// Writes `count` records (values "p<partition>-<index>") into every partition with kcat.
    static func fill(
        _ tansu: TansuBroker,
        topic: String,
        partitions: Int32,
        count: Int,
        from start: Int = 0
    )
        async throws
    {
        for partition in Int32(0)..<partitions {
            try await KafkaConsumerTests.kcatProduce(
                tansu,
                topic: topic,
                partition: partition,
                (start..<(start + count)).map { "k:p\(partition)-\($0)" }
            )
        }
    }

    @Test func twoMembersSplitThePartitionsAndTheSurvivorContinuesFromTheCommits() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("split", partitions: 4)
        try await Self.fill(tansu, topic: "split", partitions: 4, count: 100)

        let configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "splitters", topic: "split")
        let first = try ConsumerHarness(configuration, commitEach: true)
        let firstAssigned = await pollUntil(timeout: .seconds(30)) { first.assigned.count == 4 }
        #expect(firstAssigned)
        let second = try ConsumerHarness(configuration, commitEach: true)
        // The rebalance gives each member a disjoint, non-empty share.
        let split = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) {
            !first.assigned.isEmpty && !second.assigned.isEmpty && first.assigned.count + second.assigned.count == 4
        }
        #expect(split)
        #expect(first.assigned.isDisjoint(with: second.assigned))
        let all400 = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) {
            Set(first.records.map(\.valueText)).union(second.records.map(\.valueText)).count == 400
        }
        #expect(all400)

        // The first member leaves; the second takes over and reads only what comes next.
        try await first.stop()
        let tookOver = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) {
            second.assigned.count == 4
        }
        #expect(tookOver)
        try await Self.fill(tansu, topic: "split", partitions: 4, count: 50, from: 100)
        let all600 = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) {
            Set(first.records.map(\.valueText)).union(second.records.map(\.valueText)).count == 600
        }
        try await second.stop()
        #expect(all600)
        let union = first.records.map(\.valueText) + second.records.map(\.valueText)
        let expected = Set((0..<4).flatMap { partition in (0..<150).map { "p\(partition)-\($0)" } })
        #expect(Set(union) == expected)
        // Nothing was skipped: each member's records of one partition rise without gaps, and the
        // survivor continued at the first member's commit (so no record was read twice either:
        // every record was committed right after it was collected).
        #expect(union.count == expected.count)
        for harness in [first, second] {
            for partition in Set(harness.records.map(\.topicPartition)) {
                let offsets = harness.records.filter { $0.topicPartition == partition }.map(\.offset)
                #expect(offsets == Array(offsets.first!..<(offsets.first! + Int64(offsets.count))))
            }
        }
    }

    /// argv: bootstrap topic group seconds. A confluent-kafka member: prints its assignment and
    /// every record it reads (committing each), until it has been idle for `seconds`.
    static let confluentMember = """
        import json, sys, time
        from confluent_kafka import Consumer
        bootstrap, topic, group, idle = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
        def assigned(consumer, partitions):
            print(json.dumps({"assigned": [p.partition for p in partitions]}), flush=True)
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                             "auto.offset.reset": "earliest", "partition.assignment.strategy": "range",
                             "session.timeout.ms": 10000, "heartbeat.interval.ms": 500})
        consumer.subscribe([topic], on_assign=assigned)
        last = time.time()
        while time.time() - last < idle:
            message = consumer.poll(0.2)
            if message is None:
                continue
            if message.error():
                raise SystemExit(str(message.error()))
            consumer.commit(message, asynchronous=False)
            last = time.time()
            print(json.dumps({"partition": message.partition(), "value": message.value().decode()}), flush=True)
        consumer.close()
        """

    @Test func oursAndAConfluentKafkaMemberShareOneGroup() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("shared", partitions: 4)

        var configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "mixed-group", topic: "shared")
        configuration.assignmentStrategies = [.range]
        let ours = try ConsumerHarness(configuration, commitEach: true)
        let joined = await pollUntil(timeout: .seconds(30)) { ours.assigned.count == 4 }
        #expect(joined)
        let theirs = try PeerProcess(
            Peers.python,
            ["-c", Self.confluentMember, tansu.bootstrap, "shared", "mixed-group", "12"]
        )
        // Wait until the rebalance settled with a share for each, then write the records.
        let settled = await pollUntil(timeout: .seconds(40), interval: .milliseconds(50)) {
            let assignments = TansuPython.objects(theirs.lines).compactMap { $0["assigned"] as? [Int] }
            guard let last = assignments.last, !last.isEmpty else { return false }
            return ours.assigned.count == 4 - last.count && !ours.assigned.isEmpty
        }
        #expect(settled)
        try await Self.fill(tansu, topic: "shared", partitions: 4, count: 100)
        let status = try await theirs.waitForExit(timeout: .seconds(90))
        #expect(status == 0)
        let theirRecords = TansuPython.objects(theirs.lines).compactMap { $0["value"] as? String }
        // Ours commits each record too (one round trip each): wait until it read its share.
        let expected = Set((0..<4).flatMap { partition in (0..<100).map { "p\(partition)-\($0)" } })
        let complete = await pollUntil(timeout: .seconds(60), interval: .milliseconds(50)) {
            Set(theirRecords).union(ours.records.map(\.valueText)) == expected
        }
        #expect(complete)
        try await ours.stop()
        let ourRecords = ours.records.map(\.valueText)
        #expect(!theirRecords.isEmpty)
        #expect(!ourRecords.isEmpty)
        #expect(Set(theirRecords).isDisjoint(with: Set(ourRecords)))
        #expect(Set(theirRecords).union(ourRecords) == expected)
    }

    @Test func aConsumerStoppedBeforeItsCommitReadsAgainFromTheLastCommit() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("restart", partitions: 3)
        try await Self.fill(tansu, topic: "restart", partitions: 3, count: 100)
        let configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "restarters", topic: "restart")

        // First run: read everything, commit only up to offset 40 of each partition, then stop
        // without committing the rest (as a crash between processing and commit would).
        let first = try ConsumerHarness(configuration)
        let readAll = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) { first.records.count == 300 }
        #expect(readAll)
        try await first.consumer.commit(
            Dictionary(
                uniqueKeysWithValues: (Int32(0)..<3).map {
                    (TopicPartition(topic: "restart", partition: $0), Int64(40))
                }
            )
        )
        await first.cancel()

        // Second run: starts at the commit; offsets 40..<100 of each partition come again.
        let second = try ConsumerHarness(configuration)
        let reread = await pollUntil(timeout: .seconds(40), interval: .milliseconds(50)) { second.records.count >= 180 }
        try await second.stop()
        #expect(reread)
        for partition in Int32(0)..<3 {
            let offsets = second.records.filter { $0.topicPartition.partition == partition }.map(\.offset)
            #expect(offsets == Array(40..<100), "partition \(partition)")
        }
    }
}
