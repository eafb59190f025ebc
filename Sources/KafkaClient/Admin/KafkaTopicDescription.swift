/// A topic as the cluster describes it.
public struct KafkaTopicDescription: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// Whether Kafka keeps it for itself (e.g. `__consumer_offsets`).
    public var isInternal: Bool
    /// Its partitions, sorted by id.
    public var partitions: [KafkaPartitionDescription]

    /// Creates a description.
    public init(name: String, isInternal: Bool, partitions: [KafkaPartitionDescription]) {
        self.name = name
        self.isInternal = isInternal
        self.partitions = partitions
    }
}

/// One partition of a topic.
public struct KafkaPartitionDescription: Hashable, Sendable {
    /// The partition id (0-based).
    public var id: Int32
    /// The node id of the leader, -1 when there is none.
    public var leader: Int32
    /// The node ids of all replicas.
    public var replicas: [Int32]
    /// The node ids of the replicas in sync with the leader.
    public var inSyncReplicas: [Int32]

    /// Creates a description.
    public init(id: Int32, leader: Int32, replicas: [Int32], inSyncReplicas: [Int32]) {
        self.id = id
        self.leader = leader
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
    }
}

extension KafkaTopicDescription {
    init(_ topic: ClusterMetadata.Topic) {
        self.init(
            name: topic.name,
            isInternal: topic.isInternal,
            partitions: topic.partitions.map {
                KafkaPartitionDescription(
                    id: $0.id,
                    leader: $0.leaderID,
                    replicas: $0.replicas,
                    inSyncReplicas: $0.inSyncReplicas
                )
            }
        )
    }
}
