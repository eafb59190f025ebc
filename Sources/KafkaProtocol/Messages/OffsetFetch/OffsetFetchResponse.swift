import NIOCore

/// OffsetFetch response (key 9), versions 1-9 (OffsetFetchResponse.json, flexible 6+):
///
///     throttle_time_ms INT32 (v3+)
///     v1-7: topics [name STRING, partitions [partition_index INT32, committed_offset INT64,
///                   committed_leader_epoch INT32 (v5+), metadata NULLABLE_STRING, error_code INT16]],
///           error_code INT16 (v2+)
///     v8+:  groups [group_id STRING, topics [... same partitions ...], error_code INT16]
///
/// Decoded into ``groups`` in every version (v1-7 give one group whose id is empty).
public struct OffsetFetchResponse: KafkaMessage {
    public static let apiKey = APIKey.offsetFetch

    public struct Partition: Hashable, Sendable {
        public var partitionIndex: Int32
        /// -1 when the group has no committed offset for the partition.
        public var committedOffset: Int64
        /// v5+; -1 otherwise.
        public var committedLeaderEpoch: Int32
        public var metadata: String?
        public var errorCode: KafkaErrorCode

        public init(
            partitionIndex: Int32,
            committedOffset: Int64,
            committedLeaderEpoch: Int32 = -1,
            metadata: String? = nil,
            errorCode: KafkaErrorCode = .noError
        ) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
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

    public struct Group: Hashable, Sendable {
        public var groupID: String
        public var topics: [Topic]
        /// The group-level error (v2+).
        public var errorCode: KafkaErrorCode

        public init(groupID: String, topics: [Topic], errorCode: KafkaErrorCode = .noError) {
            self.groupID = groupID
            self.topics = topics
            self.errorCode = errorCode
        }
    }

    public var throttleTimeMs: Int32
    public var groups: [Group]

    public init(throttleTimeMs: Int32 = 0, groups: [Group]) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 3 ? try buffer.readKafkaInt32() : 0
        if version <= 7 {
            let topics = try Self.readTopics(from: &buffer, version: version, flexible: flexible)
            let errorCode = version >= 2 ? try buffer.readKafkaErrorCode() : .noError
            self.groups = [Group(groupID: "", topics: topics, errorCode: errorCode)]
        } else {
            self.groups = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 4) { buffer in
                let group = Group(
                    groupID: try buffer.readKafkaString(flexible: flexible),
                    topics: try Self.readTopics(from: &buffer, version: version, flexible: flexible),
                    errorCode: try buffer.readKafkaErrorCode()
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return group
            }
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    private static func readTopics(from buffer: inout ByteBuffer, version: Int16, flexible: Bool) throws -> [Topic] {
        try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let name = try buffer.readKafkaString(flexible: flexible)
            let partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 15) { buffer in
                var partition = Partition(
                    partitionIndex: try buffer.readKafkaInt32(),
                    committedOffset: try buffer.readKafkaInt64()
                )
                if version >= 5 { partition.committedLeaderEpoch = try buffer.readKafkaInt32() }
                partition.metadata = try buffer.readKafkaNullableString(flexible: flexible)
                partition.errorCode = try buffer.readKafkaErrorCode()
                if flexible { try buffer.readKafkaTaggedFields() }
                return partition
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return Topic(name: name, partitions: partitions)
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 3 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        if version <= 7 {
            guard self.groups.count == 1, let group = self.groups.first else {
                throw KafkaProtocolError(code: .invalidValue, detail: "v\(version) holds exactly one group")
            }
            try Self.writeTopics(group.topics, into: &buffer, version: version, flexible: flexible)
            if version >= 2 { buffer.writeKafkaErrorCode(group.errorCode) }
        } else {
            try buffer.writeKafkaArray(self.groups, flexible: flexible) { buffer, group in
                try buffer.writeKafkaString(group.groupID, flexible: flexible)
                try Self.writeTopics(group.topics, into: &buffer, version: version, flexible: flexible)
                buffer.writeKafkaErrorCode(group.errorCode)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }

    private static func writeTopics(
        _ topics: [Topic],
        into buffer: inout ByteBuffer,
        version: Int16,
        flexible: Bool
    ) throws {
        try buffer.writeKafkaArray(topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.partitionIndex)
                buffer.writeKafkaInt64(partition.committedOffset)
                if version >= 5 { buffer.writeKafkaInt32(partition.committedLeaderEpoch) }
                try buffer.writeKafkaNullableString(partition.metadata, flexible: flexible)
                buffer.writeKafkaErrorCode(partition.errorCode)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }
}
