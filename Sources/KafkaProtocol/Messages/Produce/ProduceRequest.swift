import NIOCore

/// Produce request (key 0), versions 3-11 (ProduceRequest.json, flexible 9+):
///
///     transactional_id NULLABLE_STRING (v3+)
///     acks INT16
///     timeout_ms INT32
///     topic_data [name STRING, partition_data [index INT32, records RECORDS]]
///
/// v3 is the first that carries RecordBatch v2 (KIP-98); v7 allows zstd (KIP-110); v8 returns
/// per-record errors (KIP-467). The records are already-encoded batches (``RecordBatchBuilder``).
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let apiKey = APIKey.produce

    public struct PartitionData: Hashable, Sendable {
        public var index: Int32
        /// One or more encoded record batches (null is allowed by the schema, never useful).
        public var records: ByteBuffer?

        public init(index: Int32, records: ByteBuffer?) {
            self.index = index
            self.records = records
        }
    }

    public struct TopicData: Hashable, Sendable {
        public var name: String
        public var partitionData: [PartitionData]

        public init(name: String, partitionData: [PartitionData]) {
            self.name = name
            self.partitionData = partitionData
        }
    }

    public var transactionalID: String?
    /// 0 (no answer at all), 1 (leader), -1 (all in-sync replicas).
    public var acks: Int16
    public var timeoutMs: Int32
    public var topicData: [TopicData]

    public init(transactionalID: String? = nil, acks: Int16, timeoutMs: Int32, topicData: [TopicData]) {
        self.transactionalID = transactionalID
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topicData = topicData
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.transactionalID = try buffer.readKafkaNullableString(flexible: flexible)
        self.acks = try buffer.readKafkaInt16()
        self.timeoutMs = try buffer.readKafkaInt32()
        self.topicData = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let name = try buffer.readKafkaString(flexible: flexible)
            let partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 5) { buffer in
                let partition = PartitionData(
                    index: try buffer.readKafkaInt32(),
                    records: try buffer.readKafkaNullableBytes(flexible: flexible)
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return partition
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return TopicData(name: name, partitionData: partitions)
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaNullableString(self.transactionalID, flexible: flexible)
        buffer.writeKafkaInt16(self.acks)
        buffer.writeKafkaInt32(self.timeoutMs)
        try buffer.writeKafkaArray(self.topicData, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaArray(topic.partitionData, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.index)
                buffer.writeKafkaNullableBytes(partition.records, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
