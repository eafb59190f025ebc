import NIOCore

/// Fetch response (key 1), versions 4-17 (FetchResponse.json, flexible 12+):
///
///     throttle_time_ms INT32 (v1+), error_code INT16 (v7+), session_id INT32 (v7+)
///     responses [topic STRING (v0-12) | topic_id UUID (v13+),
///                partitions [partition_index INT32, error_code INT16, high_watermark INT64,
///                            last_stable_offset INT64 (v4+), log_start_offset INT64 (v5+),
///                            aborted_transactions [producer_id INT64, first_offset INT64] (v4+, nullable),
///                            preferred_read_replica INT32 (v11+), records RECORDS,
///                            tags (v12+): 0 diverging_epoch {epoch INT32, end_offset INT64},
///                                         1 current_leader {leader_id INT32, leader_epoch INT32},
///                                         2 snapshot_id {end_offset INT64, epoch INT32}]]
///     tag 0: node_endpoints [node_id, host, port, rack] (v16+)
///
/// ``Partition/records`` is the raw record data, a slice of the response; decode it with
/// ``RecordBatch/decodeAll(from:options:)`` (its last batch may be cut short by the broker).
public struct FetchResponse: KafkaMessage {
    public static let apiKey = APIKey.fetch

    public struct AbortedTransaction: Hashable, Sendable {
        public var producerID: Int64
        public var firstOffset: Int64

        public init(producerID: Int64, firstOffset: Int64) {
            self.producerID = producerID
            self.firstOffset = firstOffset
        }
    }

    /// An epoch and the offset where it ends (diverging_epoch: epoch, end_offset).
    public struct EpochEndOffset: Hashable, Sendable {
        public var epoch: Int32
        public var endOffset: Int64

        public init(epoch: Int32 = -1, endOffset: Int64 = -1) {
            self.epoch = epoch
            self.endOffset = endOffset
        }
    }

    public struct Partition: Hashable, Sendable {
        public var partitionIndex: Int32
        public var errorCode: KafkaErrorCode
        public var highWatermark: Int64
        /// v4+; -1 otherwise.
        public var lastStableOffset: Int64
        /// v5+; -1 otherwise.
        public var logStartOffset: Int64
        /// Tagged 0 (v12+).
        public var divergingEpoch: EpochEndOffset?
        /// Tagged 1 (v12+).
        public var currentLeader: LeaderIDAndEpoch?
        /// Tagged 2 (v12+), for KRaft followers (end offset, epoch).
        public var snapshotID: EpochEndOffset?
        /// v4+; nil when the broker sent null (always for read-uncommitted).
        public var abortedTransactions: [AbortedTransaction]?
        /// v11+; -1 = none.
        public var preferredReadReplica: Int32
        /// The record data (zero or more record batches or legacy message sets).
        public var records: ByteBuffer?

        public init(
            partitionIndex: Int32,
            errorCode: KafkaErrorCode = .noError,
            highWatermark: Int64,
            lastStableOffset: Int64 = -1,
            logStartOffset: Int64 = -1,
            divergingEpoch: EpochEndOffset? = nil,
            currentLeader: LeaderIDAndEpoch? = nil,
            snapshotID: EpochEndOffset? = nil,
            abortedTransactions: [AbortedTransaction]? = nil,
            preferredReadReplica: Int32 = -1,
            records: ByteBuffer?
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.divergingEpoch = divergingEpoch
            self.currentLeader = currentLeader
            self.snapshotID = snapshotID
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }
    }

    public struct Topic: Hashable, Sendable {
        /// The name (up to v12; empty from v13).
        public var topic: String
        /// The id (from v13; zero before).
        public var topicID: KafkaUUID
        public var partitions: [Partition]

        public init(topic: String, topicID: KafkaUUID = .zero, partitions: [Partition]) {
            self.topic = topic
            self.topicID = topicID
            self.partitions = partitions
        }
    }

    public var throttleTimeMs: Int32
    /// v7+: a top-level error (e.g. a fetch session error).
    public var errorCode: KafkaErrorCode
    public var sessionID: Int32
    public var responses: [Topic]
    /// Tagged 0 (v16+).
    public var nodeEndpoints: [NodeEndpoint]

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        sessionID: Int32 = 0,
        responses: [Topic],
        nodeEndpoints: [NodeEndpoint] = []
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.sessionID = sessionID
        self.responses = responses
        self.nodeEndpoints = nodeEndpoints
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(responses: [])
        self.throttleTimeMs = try buffer.readKafkaInt32()
        if version >= 7 {
            self.errorCode = try buffer.readKafkaErrorCode()
            self.sessionID = try buffer.readKafkaInt32()
        }
        self.responses = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            var topic = Topic(topic: "", partitions: [])
            if version >= 13 {
                topic.topicID = try buffer.readKafkaUUID()
            } else {
                topic.topic = try buffer.readKafkaString(flexible: flexible)
            }
            topic.partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 18) { buffer in
                try Self.readPartition(from: &buffer, version: version, flexible: flexible)
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return topic
        }
        if flexible {
            try buffer.readKafkaTaggedFields { tag, data in
                guard tag == 0, version >= 16 else { return false }
                self.nodeEndpoints = try NodeEndpoint.readArray(from: &data)
                return true
            }
        }
    }

    private static func readPartition(from buffer: inout ByteBuffer, version: Int16, flexible: Bool) throws -> Partition
    {
        var partition = Partition(
            partitionIndex: try buffer.readKafkaInt32(),
            errorCode: try buffer.readKafkaErrorCode(),
            highWatermark: try buffer.readKafkaInt64(),
            records: nil
        )
        partition.lastStableOffset = try buffer.readKafkaInt64()
        if version >= 5 { partition.logStartOffset = try buffer.readKafkaInt64() }
        partition.abortedTransactions = try buffer.readKafkaNullableArray(flexible: flexible, minimumElementSize: 16) {
            buffer in
            let aborted = AbortedTransaction(
                producerID: try buffer.readKafkaInt64(),
                firstOffset: try buffer.readKafkaInt64()
            )
            if flexible { try buffer.readKafkaTaggedFields() }
            return aborted
        }
        if version >= 11 { partition.preferredReadReplica = try buffer.readKafkaInt32() }
        partition.records = try buffer.readKafkaNullableBytes(flexible: flexible)
        if flexible {
            try buffer.readKafkaTaggedFields { tag, data in
                switch tag {
                case 0:
                    partition.divergingEpoch = EpochEndOffset(
                        epoch: try data.readKafkaInt32(),
                        endOffset: try data.readKafkaInt64()
                    )
                    try data.readKafkaTaggedFields()
                case 1:
                    partition.currentLeader = try LeaderIDAndEpoch.read(from: &data)
                case 2:
                    let endOffset = try data.readKafkaInt64()
                    partition.snapshotID = EpochEndOffset(epoch: try data.readKafkaInt32(), endOffset: endOffset)
                    try data.readKafkaTaggedFields()
                default:
                    return false
                }
                return true
            }
        }
        return partition
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        buffer.writeKafkaInt32(self.throttleTimeMs)
        if version >= 7 {
            buffer.writeKafkaErrorCode(self.errorCode)
            buffer.writeKafkaInt32(self.sessionID)
        }
        try buffer.writeKafkaArray(self.responses, flexible: flexible) { buffer, topic in
            if version >= 13 {
                buffer.writeKafkaUUID(topic.topicID)
            } else {
                try buffer.writeKafkaString(topic.topic, flexible: flexible)
            }
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                try Self.writePartition(partition, into: &buffer, version: version, flexible: flexible)
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible {
            var tagged = KafkaTaggedFields()
            if version >= 16, !self.nodeEndpoints.isEmpty {
                try tagged.append(tag: 0) { try NodeEndpoint.writeArray(self.nodeEndpoints, into: &$0) }
            }
            buffer.writeKafkaTaggedFields(tagged)
        }
    }

    private static func writePartition(
        _ partition: Partition,
        into buffer: inout ByteBuffer,
        version: Int16,
        flexible: Bool
    ) throws {
        buffer.writeKafkaInt32(partition.partitionIndex)
        buffer.writeKafkaErrorCode(partition.errorCode)
        buffer.writeKafkaInt64(partition.highWatermark)
        buffer.writeKafkaInt64(partition.lastStableOffset)
        if version >= 5 { buffer.writeKafkaInt64(partition.logStartOffset) }
        try buffer.writeKafkaNullableArray(partition.abortedTransactions, flexible: flexible) { buffer, aborted in
            buffer.writeKafkaInt64(aborted.producerID)
            buffer.writeKafkaInt64(aborted.firstOffset)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 11 { buffer.writeKafkaInt32(partition.preferredReadReplica) }
        buffer.writeKafkaNullableBytes(partition.records, flexible: flexible)
        if flexible {
            var tagged = KafkaTaggedFields()
            if let diverging = partition.divergingEpoch {
                tagged.append(tag: 0) {
                    $0.writeKafkaInt32(diverging.epoch)
                    $0.writeKafkaInt64(diverging.endOffset)
                    $0.writeKafkaEmptyTaggedFields()
                }
            }
            if let leader = partition.currentLeader {
                tagged.append(tag: 1) { leader.write(into: &$0) }
            }
            if let snapshot = partition.snapshotID {
                tagged.append(tag: 2) {
                    $0.writeKafkaInt64(snapshot.endOffset)
                    $0.writeKafkaInt32(snapshot.epoch)
                    $0.writeKafkaEmptyTaggedFields()
                }
            }
            buffer.writeKafkaTaggedFields(tagged)
        }
    }
}
