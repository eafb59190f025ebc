import NIOCore

/// Metadata response (key 3), versions 1-12 (MetadataResponse.json, flexible 9+):
///
///     throttle_time_ms INT32 (v3+)
///     brokers [node_id INT32, host STRING, port INT32, rack NULLABLE_STRING (v1+)]
///     cluster_id NULLABLE_STRING (v2+)
///     controller_id INT32 (v1+)
///     topics [error_code INT16, name STRING (nullable v12+), topic_id UUID (v10+),
///             is_internal BOOLEAN (v1+),
///             partitions [error_code INT16, partition_index INT32, leader_id INT32,
///                         leader_epoch INT32 (v7+), replica_nodes [INT32], isr_nodes [INT32],
///                         offline_replicas [INT32] (v5+)],
///             topic_authorized_operations INT32 (v8+)]
///     cluster_authorized_operations INT32 (v8-10)
public struct MetadataResponse: KafkaMessage {
    public static let apiKey = APIKey.metadata

    public struct Broker: Hashable, Sendable {
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        public var rack: String?

        public init(nodeID: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.rack = rack
        }
    }

    public struct Partition: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        public var partitionIndex: Int32
        public var leaderID: Int32
        /// v7+; -1 otherwise.
        public var leaderEpoch: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]
        /// v5+.
        public var offlineReplicas: [Int32]

        public init(
            errorCode: KafkaErrorCode = .noError,
            partitionIndex: Int32,
            leaderID: Int32,
            leaderEpoch: Int32 = -1,
            replicaNodes: [Int32] = [],
            isrNodes: [Int32] = [],
            offlineReplicas: [Int32] = []
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderID = leaderID
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }
    }

    public struct Topic: Hashable, Sendable {
        public var errorCode: KafkaErrorCode
        /// Null only in v12+ (a topic asked for by id that does not exist).
        public var name: String?
        /// v10+; zero otherwise.
        public var topicID: KafkaUUID
        public var isInternal: Bool
        public var partitions: [Partition]
        /// v8+; Int32.min ("not requested") otherwise.
        public var topicAuthorizedOperations: Int32

        public init(
            errorCode: KafkaErrorCode = .noError,
            name: String?,
            topicID: KafkaUUID = .zero,
            isInternal: Bool = false,
            partitions: [Partition],
            topicAuthorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.name = name
            self.topicID = topicID
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }
    }

    public var throttleTimeMs: Int32
    public var brokers: [Broker]
    public var clusterID: String?
    /// -1 when unknown.
    public var controllerID: Int32
    public var topics: [Topic]
    /// v8-10; Int32.min otherwise.
    public var clusterAuthorizedOperations: Int32

    public init(
        throttleTimeMs: Int32 = 0,
        brokers: [Broker],
        clusterID: String? = nil,
        controllerID: Int32 = -1,
        topics: [Topic],
        clusterAuthorizedOperations: Int32 = Int32.min
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.topics = topics
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(brokers: [], topics: [])
        if version >= 3 { self.throttleTimeMs = try buffer.readKafkaInt32() }
        self.brokers = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 9) { buffer in
            var broker = Broker(
                nodeID: try buffer.readKafkaInt32(),
                host: try buffer.readKafkaString(flexible: flexible),
                port: try buffer.readKafkaInt32()
            )
            if version >= 1 { broker.rack = try buffer.readKafkaNullableString(flexible: flexible) }
            if flexible { try buffer.readKafkaTaggedFields() }
            return broker
        }
        if version >= 2 { self.clusterID = try buffer.readKafkaNullableString(flexible: flexible) }
        if version >= 1 { self.controllerID = try buffer.readKafkaInt32() }
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 4) { buffer in
            let errorCode = try buffer.readKafkaErrorCode()
            let name =
                version >= 12
                ? try buffer.readKafkaNullableString(flexible: flexible)
                : try buffer.readKafkaString(flexible: flexible)
            var topic = Topic(errorCode: errorCode, name: name, partitions: [])
            if version >= 10 { topic.topicID = try buffer.readKafkaUUID() }
            if version >= 1 { topic.isInternal = try buffer.readKafkaBool() }
            topic.partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 10) { buffer in
                var partition = Partition(
                    errorCode: try buffer.readKafkaErrorCode(),
                    partitionIndex: try buffer.readKafkaInt32(),
                    leaderID: try buffer.readKafkaInt32()
                )
                if version >= 7 { partition.leaderEpoch = try buffer.readKafkaInt32() }
                partition.replicaNodes = try buffer.readKafkaInt32Array(flexible: flexible)
                partition.isrNodes = try buffer.readKafkaInt32Array(flexible: flexible)
                if version >= 5 { partition.offlineReplicas = try buffer.readKafkaInt32Array(flexible: flexible) }
                if flexible { try buffer.readKafkaTaggedFields() }
                return partition
            }
            if version >= 8 { topic.topicAuthorizedOperations = try buffer.readKafkaInt32() }
            if flexible { try buffer.readKafkaTaggedFields() }
            return topic
        }
        if version >= 8 && version <= 10 { self.clusterAuthorizedOperations = try buffer.readKafkaInt32() }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 3 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        try buffer.writeKafkaArray(self.brokers, flexible: flexible) { buffer, broker in
            buffer.writeKafkaInt32(broker.nodeID)
            try buffer.writeKafkaString(broker.host, flexible: flexible)
            buffer.writeKafkaInt32(broker.port)
            if version >= 1 { try buffer.writeKafkaNullableString(broker.rack, flexible: flexible) }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 2 { try buffer.writeKafkaNullableString(self.clusterID, flexible: flexible) }
        if version >= 1 { buffer.writeKafkaInt32(self.controllerID) }
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            buffer.writeKafkaErrorCode(topic.errorCode)
            if version >= 12 {
                try buffer.writeKafkaNullableString(topic.name, flexible: flexible)
            } else {
                guard let name = topic.name else {
                    throw KafkaProtocolError(code: .invalidValue, detail: "topic name is null before v12")
                }
                try buffer.writeKafkaString(name, flexible: flexible)
            }
            if version >= 10 { buffer.writeKafkaUUID(topic.topicID) }
            if version >= 1 { buffer.writeKafkaBool(topic.isInternal) }
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                buffer.writeKafkaErrorCode(partition.errorCode)
                buffer.writeKafkaInt32(partition.partitionIndex)
                buffer.writeKafkaInt32(partition.leaderID)
                if version >= 7 { buffer.writeKafkaInt32(partition.leaderEpoch) }
                try buffer.writeKafkaInt32Array(partition.replicaNodes, flexible: flexible)
                try buffer.writeKafkaInt32Array(partition.isrNodes, flexible: flexible)
                if version >= 5 { try buffer.writeKafkaInt32Array(partition.offlineReplicas, flexible: flexible) }
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if version >= 8 { buffer.writeKafkaInt32(topic.topicAuthorizedOperations) }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 8 && version <= 10 { buffer.writeKafkaInt32(self.clusterAuthorizedOperations) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
