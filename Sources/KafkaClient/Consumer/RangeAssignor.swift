/// Kafka's `RangeAssignor` (without rack awareness): per topic, the members subscribed to it in
/// Kafka's member order get consecutive ranges of partitions; the first `partitions % members`
/// members get one more.
struct RangeAssignor: ConsumerPartitionAssignor {
    var name: String { KafkaConsumerConfiguration.AssignmentStrategy.range.rawValue }

    func assign(members: [ConsumerGroupMember], partitionCounts: [String: Int32]) -> [String: [TopicPartition]] {
        var result: [String: [TopicPartition]] = [:]
        for member in members { result[member.memberID] = [] }
        let sortedMembers = members.sorted(by: ConsumerGroupMember.kafkaOrder)
        for topic in partitionCounts.keys.sorted() {
            let consumers = sortedMembers.filter { $0.topics.contains(topic) }
            guard !consumers.isEmpty, let count = partitionCounts[topic], count > 0 else { continue }
            let perConsumer = Int(count) / consumers.count
            let withExtra = Int(count) % consumers.count
            for (index, consumer) in consumers.enumerated() {
                let start = perConsumer * index + min(index, withExtra)
                let length = perConsumer + (index < withExtra ? 1 : 0)
                for partition in start..<(start + length) {
                    result[consumer.memberID, default: []].append(
                        TopicPartition(topic: topic, partition: Int32(partition))
                    )
                }
            }
        }
        return result
    }
}
