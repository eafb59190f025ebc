/// Computes a group's assignment on the leader (client-side assignment of the classic
/// protocol): member id → partitions. Every member appears in the result, possibly with none.
protocol ConsumerPartitionAssignor: Sendable {
    /// The protocol name sent in JoinGroup ("range", "roundrobin").
    var name: String { get }
    /// Assigns the partitions of `partitionCounts` (topic → number of partitions; topics no
    /// member subscribed to are ignored) to `members`.
    func assign(members: [ConsumerGroupMember], partitionCounts: [String: Int32]) -> [String: [TopicPartition]]
}

extension KafkaConsumerConfiguration.AssignmentStrategy {
    /// The assignor implementing the strategy.
    var assignor: any ConsumerPartitionAssignor {
        switch self {
        case .range: RangeAssignor()
        case .roundRobin: RoundRobinAssignor()
        }
    }
}
