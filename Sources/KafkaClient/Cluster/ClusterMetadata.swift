import KafkaProtocol

/// What the client knows about the cluster from Metadata answers: brokers, the controller,
/// and per topic its partitions with their leaders. A plain value, so it is tested without sockets.
struct ClusterMetadata: Sendable, Hashable {
    /// One partition as the last Metadata answer described it.
    struct Partition: Sendable, Hashable {
        var id: Int32
        var errorCode: KafkaErrorCode
        var leaderID: Int32
        var leaderEpoch: Int32
        var replicas: [Int32]
        var inSyncReplicas: [Int32]
    }

    /// One topic; `partitions` is sorted by id.
    struct Topic: Sendable, Hashable {
        var name: String
        var topicID: KafkaUUID
        var errorCode: KafkaErrorCode
        var isInternal: Bool
        var partitions: [Partition]

        /// Whether every partition has a leader, so records can go to any of them.
        var isUsable: Bool {
            self.errorCode.isSuccess && !self.partitions.isEmpty
                && self.partitions.allSatisfy { $0.leaderID >= 0 }
        }
    }

    var brokers: [Int32: KafkaBrokerAddress] = [:]
    var controllerID: Int32 = -1
    var clusterID: String?
    var topics: [String: Topic] = [:]

    /// Takes in an answer. `requested` is the topic list asked for (nil: all topics), so a topic
    /// missing from an answer to "all topics" is dropped from the cache (it was deleted).
    mutating func apply(_ response: MetadataResponse, requested: [String]?) {
        self.brokers = Dictionary(
            response.brokers.map { ($0.nodeID, KafkaBrokerAddress(host: $0.host, port: Int($0.port))) },
            uniquingKeysWith: { first, _ in first }
        )
        self.controllerID = response.controllerID
        self.clusterID = response.clusterID
        if requested == nil {
            self.topics.removeAll()
        }
        for topic in response.topics {
            guard let name = topic.name else { continue }
            let partitions = topic.partitions.map {
                Partition(
                    id: $0.partitionIndex,
                    errorCode: $0.errorCode,
                    leaderID: $0.leaderID,
                    leaderEpoch: $0.leaderEpoch,
                    replicas: $0.replicaNodes,
                    inSyncReplicas: $0.isrNodes
                )
            }
            .sorted { $0.id < $1.id }
            self.topics[name] = Topic(
                name: name,
                topicID: topic.topicID,
                errorCode: topic.errorCode,
                isInternal: topic.isInternal,
                partitions: partitions
            )
        }
    }

    /// The leader of a partition, if known.
    func leader(topic: String, partition: Int32) -> Int32? {
        guard let topic = self.topics[topic],
            let entry = topic.partitions.first(where: { $0.id == partition }),
            entry.leaderID >= 0
        else { return nil }
        return entry.leaderID
    }

    /// Forgets a partition's leader, so the next lookup waits for fresh metadata.
    mutating func invalidateLeader(topic: String, partition: Int32) {
        guard var entry = self.topics[topic],
            let index = entry.partitions.firstIndex(where: { $0.id == partition })
        else { return }
        entry.partitions[index].leaderID = -1
        self.topics[topic] = entry
    }
}
