import NIOCore

/// ListOffsets request (key 2), versions 1-9 (ListOffsetsRequest.json, flexible 6+):
///
///     replica_id INT32 (-1 for consumers)
///     isolation_level INT8 (v2+)
///     topics [name STRING, partitions [partition_index INT32, current_leader_epoch INT32 (v4+),
///                                      timestamp INT64]]
///
/// Special timestamps: -1 latest, -2 earliest, -3 max timestamp (v7+, KIP-734),
/// -4 earliest local (v8+, KIP-405), -5 latest tiered (v9+, KIP-1005).
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let apiKey = APIKey.listOffsets

    /// The "latest offset" timestamp (the log end offset / high watermark).
    public static let latestTimestamp: Int64 = -1
    /// The "earliest offset" timestamp (the log start offset).
    public static let earliestTimestamp: Int64 = -2

    public struct Partition: Hashable, Sendable {
        public var partitionIndex: Int32
        /// v4+; -1 = unknown.
        public var currentLeaderEpoch: Int32
        public var timestamp: Int64

        public init(partitionIndex: Int32, currentLeaderEpoch: Int32 = -1, timestamp: Int64) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.timestamp = timestamp
        }
    }

    public struct Topic: Hashable, Sendable {
        public var name: String
        public var partitions: [Partition]

        public init(name: String, partitions: [Partition]) {
            self.name = name
            self.partitions = partitions
        }
    }

    public var replicaID: Int32
    /// 0 read uncommitted, 1 read committed (v2+).
    public var isolationLevel: Int8
    public var topics: [Topic]

    public init(replicaID: Int32 = -1, isolationLevel: Int8 = 0, topics: [Topic]) {
        self.replicaID = replicaID
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.replicaID = try buffer.readKafkaInt32()
        self.isolationLevel = version >= 2 ? try buffer.readKafkaInt8() : 0
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let name = try buffer.readKafkaString(flexible: flexible)
            let partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 12) { buffer in
                var partition = Partition(partitionIndex: try buffer.readKafkaInt32(), timestamp: 0)
                if version >= 4 { partition.currentLeaderEpoch = try buffer.readKafkaInt32() }
                partition.timestamp = try buffer.readKafkaInt64()
                if flexible { try buffer.readKafkaTaggedFields() }
                return partition
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        buffer.writeKafkaInt32(self.replicaID)
        if version >= 2 { buffer.writeKafkaInt8(self.isolationLevel) }
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.partitionIndex)
                if version >= 4 { buffer.writeKafkaInt32(partition.currentLeaderEpoch) }
                buffer.writeKafkaInt64(partition.timestamp)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
