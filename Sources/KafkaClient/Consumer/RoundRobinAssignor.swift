/// Kafka's `RoundRobinAssignor`: every partition of every subscribed topic (topics by name,
/// partitions in order) goes to the next member in Kafka's member order, skipping members not
/// subscribed to its topic.
struct RoundRobinAssignor: ConsumerPartitionAssignor {
    var name: String { KafkaConsumerConfiguration.AssignmentStrategy.roundRobin.rawValue }

    func assign(members: [ConsumerGroupMember], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result: [String: [TopicPartition]] = [:]
        for member in members { result[member.memberID] = [] }
        let ring = members.sorted(by: ConsumerGroupMember.kafkaOrder)
        guard !ring.isEmpty else { return result }
        let subscribed = Set(members.flatMap(\.topics))
        var next = 0
        for topic in partitionCounts.keys.sorted() where subscribed.contains(topic) {
            for partition in 0..<(partitionCounts[topic] ?? 0) {
                // Some member is subscribed to the topic, so this ends within one turn.
                while !ring[next].topics.contains(topic) { next = (next + 1) % ring.count }
                result[ring[next].memberID, default: []].append(TopicPartition(topic: topic, partition: partition))
                next = (next + 1) % ring.count
            }
        }
        return result
    }
}
