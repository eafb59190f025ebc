import Foundation
import KafkaClient
import KafkaProtocol
import NIOConcurrencyHelpers
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
        // The first member gave its partitions up (.revoked) before the second got any.
        let firstRevoked = first.timedEvents.first { if case .revoked = $0.0 { true } else { false } }?.1
        let secondAssigned = second.timedEvents.first { if case .assigned = $0.0 { true } else { false } }?.1
        #expect(firstRevoked != nil && secondAssigned != nil && firstRevoked! < secondAssigned!)
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
        let lastRevoked = first.timedEvents.last { if case .revoked = $0.0 { true } else { false } }?.1
        let allFour = second.timedEvents.last {
            if case .assigned(let partitions) = $0.0 { partitions.count == 4 } else { false }
        }?.1
        #expect(lastRevoked != nil && allFour != nil && lastRevoked! < allFour!)
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

    @Test func aRestartedStaticMemberGetsItsPartitionsBack() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("static", partitions: 4)
        var configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "statics", topic: "static")
        configuration.assignmentStrategies = [.range]
        func member(_ instance: String) throws -> ConsumerHarness {
            var configuration = configuration
            configuration.groupInstanceID = instance
            return try ConsumerHarness(configuration)
        }
        let b = try member("node-b")
        let a = try member("node-a")
        let shared = await pollUntil(timeout: .seconds(40), interval: .milliseconds(50)) {
            a.assigned.count == 2 && b.assigned.count == 2
        }
        #expect(shared)
        // Range over static members orders them by instance id, not by (random) member id.
        let first = (Int32(0)..<2).map { TopicPartition(topic: "static", partition: $0) }
        #expect(a.assigned == Set(first))
        try await a.stop()
        let again = try member("node-a")
        let back = await pollUntil(timeout: .seconds(40), interval: .milliseconds(50)) {
            again.assigned.count == 2 && b.assigned.count == 2
        }
        try await again.stop()
        try await b.stop()
        #expect(back)
        #expect(again.assigned.isEmpty)  // revoked at its own shutdown
        #expect(again.events.first == .assigned(first))
    }

    @Test func aTopicCreatedAfterTheJoinIsAssignedWithoutARestart() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        var configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "early", topic: "late")
        configuration.client.metadataMaxAge = .seconds(1)
        let harness = try ConsumerHarness(configuration)
        let joined = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) { !harness.events.isEmpty }
        #expect(joined)
        // tansu may create the topic when it is first asked about; create it if not.
        try? await admin.createTopic("late", partitions: 2)
        try await KafkaConsumerTests.kcatProduce(tansu, topic: "late", partition: 0, (0..<20).map { "k:v\($0)" })
        let read = await pollUntil(timeout: .seconds(40), interval: .milliseconds(50)) { harness.records.count >= 20 }
        try await harness.stop()
        #expect(read)
        #expect(harness.records.map(\.offset) == Array(0..<20))
    }

    @Test func aShutdownDuringTheJoinDoesNotWaitForTheCoordinator() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("slow-join", partitions: 1)
        // tansu holds a new group's first JoinGroup for half the session timeout: 30 s here.
        var configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "slow", topic: "slow-join")
        configuration.sessionTimeout = .seconds(60)
        configuration.rebalanceTimeout = .seconds(60)
        let messages = RecordingLogHandler.Messages()
        let harness = try ConsumerHarness(configuration, logger: RecordingLogHandler.logger(messages))
        let joining = await pollUntil(timeout: .seconds(20)) { messages.all.contains("group coordinator") }
        #expect(joining)
        let stopping = Task { try await harness.stop() }
        // Well before the coordinator would answer the JoinGroup.
        let stopped = await pollUntil(timeout: .seconds(15), interval: .milliseconds(50)) { harness.hasStopped }
        #expect(stopped)
        #expect(harness.events.isEmpty)
        _ = try? await stopping.value
    }

    @Test func autoCommitCommitsWhatWasHandedOut() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("auto", partitions: 1)
        try await Self.fill(tansu, topic: "auto", partitions: 1, count: 100)
        var configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "autos", topic: "auto")
        configuration.enableAutoCommit = true
        configuration.autoCommitInterval = .milliseconds(200)
        let first = try ConsumerHarness(configuration)
        let readAll = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) { first.records.count == 100 }
        try await first.stop()
        #expect(readAll)

        try await Self.fill(tansu, topic: "auto", partitions: 1, count: 20, from: 100)
        let second = try ConsumerHarness(configuration)
        let readNew = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) { second.records.count >= 20 }
        try await second.stop()
        #expect(readNew)
        #expect(second.records.map(\.offset) == Array(100..<120))
    }

    @Test func offsetsCommittedInOnRevokeAreWhereTheNextOwnerStarts() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let admin = try KafkaConsumerTests.admin(tansu)
        defer { admin.shutdown() }
        try await admin.createTopic("handover", partitions: 4)
        try await Self.fill(tansu, topic: "handover", partitions: 4, count: 100)
        let configuration = KafkaConsumerTests.groupConfiguration(tansu, group: "handovers", topic: "handover")

        // The first member commits nothing while it reads; only when its partitions are revoked
        // does it commit what it processed (the bridge's pattern).
        let firstBox = NIOLockedValueBox<ConsumerHarness?>(nil)
        let revokeCommits = NIOLockedValueBox<[String]>([])
        let first = try ConsumerHarness(configuration) { revoked in
            guard let harness = firstBox.withLockedValue({ $0 }) else { return }
            var offsets: [TopicPartition: Int64] = [:]
            for record in harness.records where revoked.contains(record.topicPartition) {
                offsets[record.topicPartition] = max(offsets[record.topicPartition] ?? 0, record.offset + 1)
            }
            do {
                try await harness.consumer.commit(offsets)
                revokeCommits.withLockedValue { $0.append("ok \(offsets.count)") }
            } catch {
                revokeCommits.withLockedValue { $0.append("failed: \(error)") }
            }
        }
        firstBox.withLockedValue { $0 = first }
        let readAll = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) { first.records.count == 400 }
        #expect(readAll)

        let second = try ConsumerHarness(configuration, commitEach: true)
        let split = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) {
            !second.assigned.isEmpty && first.assigned.count + second.assigned.count == 4
        }
        #expect(split)
        #expect(revokeCommits.withLockedValue { $0 }.first == "ok 4")
        try await Self.fill(tansu, topic: "handover", partitions: 4, count: 50, from: 100)
        let all = await pollUntil(timeout: .seconds(30), interval: .milliseconds(50)) {
            first.records.count + second.records.count >= 600
        }
        try await second.stop()
        try await first.stop()
        #expect(all)
        // The second member started at the first one's revocation commits: nothing twice.
        let values = first.records.map(\.valueText) + second.records.map(\.valueText)
        #expect(values.count == 600)
        #expect(Set(values).count == 600)
        #expect(second.records.allSatisfy { $0.offset >= 100 })
    }
}
