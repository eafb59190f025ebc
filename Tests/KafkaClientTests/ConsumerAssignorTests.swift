import Testing

@testable import KafkaClient

/// The assignors against the examples of Kafka's own `RangeAssignor` / `RoundRobinAssignor`
/// documentation.
@Suite struct ConsumerAssignorTests {
    static func member(_ id: String, _ topics: [String], instance: String? = nil) -> ConsumerGroupMember {
        ConsumerGroupMember(memberID: id, groupInstanceID: instance, topics: Set(topics))
    }

    static func tps(_ pairs: [(String, Int32)]) -> [TopicPartition] {
        pairs.map { TopicPartition(topic: $0.0, partition: $0.1) }
    }

    @Test func rangeGivesConsecutiveRangesPerTopic() {
        let members = [Self.member("C1", ["t0", "t1"]), Self.member("C0", ["t0", "t1"])]
        let result = RangeAssignor().assign(members: members, partitionCounts: ["t0": 3, "t1": 3])
        #expect(result["C0"] == Self.tps([("t0", 0), ("t0", 1), ("t1", 0), ("t1", 1)]))
        #expect(result["C1"] == Self.tps([("t0", 2), ("t1", 2)]))
    }

    @Test func rangeLeavesExtraMembersEmptyAndIgnoresUnsubscribedTopics() {
        let members = [Self.member("a", ["t"]), Self.member("b", ["t"]), Self.member("c", ["t"])]
        let result = RangeAssignor().assign(members: members, partitionCounts: ["t": 2, "other": 5])
        #expect(result["a"] == Self.tps([("t", 0)]))
        #expect(result["b"] == Self.tps([("t", 1)]))
        #expect(result["c"] == [])
    }

    @Test func roundRobinDealsEveryPartitionInTurn() {
        let members = [Self.member("C0", ["t0", "t1"]), Self.member("C1", ["t0", "t1"])]
        let result = RoundRobinAssignor().assign(members: members, partitionCounts: ["t0": 3, "t1": 3])
        #expect(result["C0"] == Self.tps([("t0", 0), ("t0", 2), ("t1", 1)]))
        #expect(result["C1"] == Self.tps([("t0", 1), ("t1", 0), ("t1", 2)]))
    }

    @Test func roundRobinSkipsMembersNotSubscribedToTheTopic() {
        let members = [
            Self.member("C0", ["t0"]), Self.member("C1", ["t0", "t1"]), Self.member("C2", ["t0", "t1", "t2"]),
        ]
        let result = RoundRobinAssignor().assign(members: members, partitionCounts: ["t0": 1, "t1": 2, "t2": 3])
        #expect(result["C0"] == Self.tps([("t0", 0)]))
        #expect(result["C1"] == Self.tps([("t1", 0)]))
        #expect(result["C2"] == Self.tps([("t1", 1), ("t2", 0), ("t2", 1), ("t2", 2)]))
    }

    @Test func staticMembersComeFirstInInstanceOrderSoTheyKeepTheirPartitions() {
        // A static member's member id changes on restart; its instance id does not.
        let before = [Self.member("m-9", ["t"], instance: "node-a"), Self.member("m-1", ["t"], instance: "node-b")]
        let after = [Self.member("m-0", ["t"], instance: "node-a"), Self.member("m-1", ["t"], instance: "node-b")]
        let first = RangeAssignor().assign(members: before, partitionCounts: ["t": 4])
        let second = RangeAssignor().assign(members: after, partitionCounts: ["t": 4])
        #expect(first["m-9"] == Self.tps([("t", 0), ("t", 1)]))
        #expect(second["m-0"] == first["m-9"])
        #expect(second["m-1"] == first["m-1"])
        let mixed = [Self.member("a", ["t"]), Self.member("z", ["t"], instance: "static")]
        #expect(RangeAssignor().assign(members: mixed, partitionCounts: ["t": 2])["z"] == Self.tps([("t", 0)]))
    }

    @Test func everyPartitionIsAssignedExactlyOnce() {
        let members = (0..<5).map { Self.member("m\($0)", $0 % 2 == 0 ? ["a", "b"] : ["a"]) }
        let counts: [String: Int32] = ["a": 7, "b": 3]
        for strategy in KafkaConsumerConfiguration.AssignmentStrategy.allCases {
            let result = strategy.assignor.assign(members: members, partitionCounts: counts)
            let all = result.values.flatMap { $0 }
            #expect(all.count == 10, "\(strategy)")
            #expect(Set(all).count == 10, "\(strategy)")
            for (memberID, partitions) in result {
                let member = members.first { $0.memberID == memberID }!
                #expect(partitions.allSatisfy { member.topics.contains($0.topic) }, "\(strategy)")
            }
        }
    }
}
