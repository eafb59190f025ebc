import NIOCore

/// OffsetCommit request (key 8), versions 2-9 (OffsetCommitRequest.json, flexible 8+):
///
///     group_id STRING, generation_id_or_member_epoch INT32 (v1+), member_id STRING (v1+),
///     group_instance_id NULLABLE_STRING (v7+), retention_time_ms INT64 (v2-4),
///     topics [name STRING, partitions [partition_index INT32, committed_offset INT64,
///                                      committed_leader_epoch INT32 (v6+),
///                                      committed_metadata NULLABLE_STRING]]
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let apiKey = APIKey.offsetCommit

    public struct Partition: Hashable, Sendable {
        public var partitionIndex: Int32
        /// The next offset to consume (last processed + 1).
        public var committedOffset: Int64
        /// v6+; -1 = unknown.
        public var committedLeaderEpoch: Int32
        public var committedMetadata: String?

        public init(
            partitionIndex: Int32,
            committedOffset: Int64,
            committedLeaderEpoch: Int32 = -1,
            committedMetadata: String? = nil
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.committedMetadata = committedMetadata
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

    public var groupID: String
    /// The generation (classic groups) or member epoch (KIP-848 groups, v9+); -1 for simple commits.
    public var generationIDOrMemberEpoch: Int32
    public var memberID: String
    public var groupInstanceID: String?
    /// v2-4; -1 = broker default.
    public var retentionTimeMs: Int64
    public var topics: [Topic]

    public init(
        groupID: String,
        generationIDOrMemberEpoch: Int32 = -1,
        memberID: String = "",
        groupInstanceID: String? = nil,
        retentionTimeMs: Int64 = -1,
        topics: [Topic]
    ) {
        self.groupID = groupID
        self.generationIDOrMemberEpoch = generationIDOrMemberEpoch
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(groupID: try buffer.readKafkaString(flexible: flexible), topics: [])
        self.generationIDOrMemberEpoch = try buffer.readKafkaInt32()
        self.memberID = try buffer.readKafkaString(flexible: flexible)
        if version >= 7 { self.groupInstanceID = try buffer.readKafkaNullableString(flexible: flexible) }
        if version <= 4 { self.retentionTimeMs = try buffer.readKafkaInt64() }
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let name = try buffer.readKafkaString(flexible: flexible)
            let partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 13) { buffer in
                var partition = Partition(
                    partitionIndex: try buffer.readKafkaInt32(),
                    committedOffset: try buffer.readKafkaInt64()
                )
                if version >= 6 { partition.committedLeaderEpoch = try buffer.readKafkaInt32() }
                partition.committedMetadata = try buffer.readKafkaNullableString(flexible: flexible)
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
        try buffer.writeKafkaString(self.groupID, flexible: flexible)
        buffer.writeKafkaInt32(self.generationIDOrMemberEpoch)
        try buffer.writeKafkaString(self.memberID, flexible: flexible)
        if version >= 7 { try buffer.writeKafkaNullableString(self.groupInstanceID, flexible: flexible) }
        if version <= 4 { buffer.writeKafkaInt64(self.retentionTimeMs) }
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.partitionIndex)
                buffer.writeKafkaInt64(partition.committedOffset)
                if version >= 6 { buffer.writeKafkaInt32(partition.committedLeaderEpoch) }
                try buffer.writeKafkaNullableString(partition.committedMetadata, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
