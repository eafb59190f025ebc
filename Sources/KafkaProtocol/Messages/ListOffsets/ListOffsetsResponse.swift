import NIOCore

/// ListOffsets response (key 2), versions 1-9 (ListOffsetsResponse.json, flexible 6+):
///
///     throttle_time_ms INT32 (v2+)
///     topics [name STRING, partitions [partition_index INT32, error_code INT16, timestamp INT64 (v1+),
///                                      offset INT64 (v1+), leader_epoch INT32 (v4+)]]
public struct ListOffsetsResponse: KafkaMessage {
    public static let apiKey = APIKey.listOffsets

    public struct Partition: Hashable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode
        public var timestamp: Int64
        public var offset: Int64
        /// v4+; -1 otherwise.
        public var leaderEpoch: Int32

        public init(
            partitionIndex: Int32,
            errorCode: KafkaErrorCode = .noError,
            timestamp: Int64 = -1,
            offset: Int64 = -1,
            leaderEpoch: Int32 = -1
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.timestamp = timestamp
            self.offset = offset
            self.leaderEpoch = leaderEpoch
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

    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 2 ? try buffer.readKafkaInt32() : 0
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let name = try buffer.readKafkaString(flexible: flexible)
            let partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 22) { buffer in
                var partition = Partition(
                    partitionIndex: try buffer.readKafkaInt32(),
                    errorCode: try buffer.readKafkaErrorCode(),
                    timestamp: try buffer.readKafkaInt64(),
                    offset: try buffer.readKafkaInt64()
                )
                if version >= 4 { partition.leaderEpoch = try buffer.readKafkaInt32() }
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
        if version >= 2 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.partitionIndex)
                buffer.writeKafkaErrorCode(partition.errorCode)
                buffer.writeKafkaInt64(partition.timestamp)
                buffer.writeKafkaInt64(partition.offset)
                if version >= 4 { buffer.writeKafkaInt32(partition.leaderEpoch) }
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
