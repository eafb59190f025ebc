import NIOCore

/// Produce response (key 0), versions 3-11 (ProduceResponse.json, flexible 9+):
///
///     responses [name STRING,
///                partition_responses [index INT32, error_code INT16, base_offset INT64,
///                                     log_append_time_ms INT64 (v2+), log_start_offset INT64 (v5+),
///                                     record_errors [batch_index INT32,
///                                                    batch_index_error_message NULLABLE_STRING] (v8+),
///                                     error_message NULLABLE_STRING (v8+),
///                                     tag 0: current_leader {leader_id, leader_epoch} (v10+)]]
///     throttle_time_ms INT32 (v1+)
///     tag 0: node_endpoints [node_id, host, port, rack] (v10+)
public struct ProduceResponse: KafkaMessage {
    public static let apiKey = APIKey.produce

    public struct RecordError: Hashable, Sendable {
        /// The index of the record within the batch that made the batch fail.
        public var batchIndex: Int32
        public var batchIndexErrorMessage: String?

        public init(batchIndex: Int32, batchIndexErrorMessage: String? = nil) {
            self.batchIndex = batchIndex
            self.batchIndexErrorMessage = batchIndexErrorMessage
        }
    }

    public struct PartitionResponse: Hashable, Sendable {
        public var index: Int32
        public var errorCode: KafkaErrorCode
        /// The offset of the first record of the batch, -1 on error.
        public var baseOffset: Int64
        /// The broker's append time for LogAppendTime topics, -1 for CreateTime.
        public var logAppendTimeMs: Int64
        /// v5+; -1 otherwise.
        public var logStartOffset: Int64
        /// v8+.
        public var recordErrors: [RecordError]
        /// v8+.
        public var errorMessage: String?
        /// Tagged (v10+): the new leader when `errorCode` is NOT_LEADER_OR_FOLLOWER.
        public var currentLeader: LeaderIDAndEpoch?

        public init(
            index: Int32,
            errorCode: KafkaErrorCode = .noError,
            baseOffset: Int64,
            logAppendTimeMs: Int64 = -1,
            logStartOffset: Int64 = -1,
            recordErrors: [RecordError] = [],
            errorMessage: String? = nil,
            currentLeader: LeaderIDAndEpoch? = nil
        ) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
            self.recordErrors = recordErrors
            self.errorMessage = errorMessage
            self.currentLeader = currentLeader
        }
    }

    public struct TopicResponse: Hashable, Sendable {
        public var name: String
        public var partitionResponses: [PartitionResponse]

        public init(name: String, partitionResponses: [PartitionResponse]) {
            self.name = name
            self.partitionResponses = partitionResponses
        }
    }

    public var responses: [TopicResponse]
    public var throttleTimeMs: Int32
    /// Tagged (v10+): endpoints of the leaders named in `currentLeader` fields.
    public var nodeEndpoints: [NodeEndpoint]

    public init(responses: [TopicResponse], throttleTimeMs: Int32 = 0, nodeEndpoints: [NodeEndpoint] = []) {
        self.responses = responses
        self.throttleTimeMs = throttleTimeMs
        self.nodeEndpoints = nodeEndpoints
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(responses: [])
        self.responses = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let name = try buffer.readKafkaString(flexible: flexible)
            let partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 14) { buffer in
                var partition = PartitionResponse(
                    index: try buffer.readKafkaInt32(),
                    errorCode: try buffer.readKafkaErrorCode(),
                    baseOffset: try buffer.readKafkaInt64()
                )
                if version >= 2 { partition.logAppendTimeMs = try buffer.readKafkaInt64() }
                if version >= 5 { partition.logStartOffset = try buffer.readKafkaInt64() }
                if version >= 8 {
                    partition.recordErrors = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 5) {
                        buffer in
                        let error = RecordError(
                            batchIndex: try buffer.readKafkaInt32(),
                            batchIndexErrorMessage: try buffer.readKafkaNullableString(flexible: flexible)
                        )
                        if flexible { try buffer.readKafkaTaggedFields() }
                        return error
                    }
                    partition.errorMessage = try buffer.readKafkaNullableString(flexible: flexible)
                }
                if flexible {
                    try buffer.readKafkaTaggedFields { tag, data in
                        guard tag == 0, version >= 10 else { return false }
                        partition.currentLeader = try LeaderIDAndEpoch.read(from: &data)
                        return true
                    }
                }
                return partition
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return TopicResponse(name: name, partitionResponses: partitions)
        }
        if version >= 1 { self.throttleTimeMs = try buffer.readKafkaInt32() }
        if flexible {
            try buffer.readKafkaTaggedFields { tag, data in
                guard tag == 0, version >= 10 else { return false }
                self.nodeEndpoints = try NodeEndpoint.readArray(from: &data)
                return true
            }
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaArray(self.responses, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaArray(topic.partitionResponses, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.index)
                buffer.writeKafkaErrorCode(partition.errorCode)
                buffer.writeKafkaInt64(partition.baseOffset)
                if version >= 2 { buffer.writeKafkaInt64(partition.logAppendTimeMs) }
                if version >= 5 { buffer.writeKafkaInt64(partition.logStartOffset) }
                if version >= 8 {
                    try buffer.writeKafkaArray(partition.recordErrors, flexible: flexible) { buffer, error in
                        buffer.writeKafkaInt32(error.batchIndex)
                        try buffer.writeKafkaNullableString(error.batchIndexErrorMessage, flexible: flexible)
                        if flexible { buffer.writeKafkaEmptyTaggedFields() }
                    }
                    try buffer.writeKafkaNullableString(partition.errorMessage, flexible: flexible)
                }
                if flexible {
                    var tagged = KafkaTaggedFields()
                    if version >= 10, let leader = partition.currentLeader {
                        tagged.append(tag: 0) { leader.write(into: &$0) }
                    }
                    buffer.writeKafkaTaggedFields(tagged)
                }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 1 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        if flexible {
            var tagged = KafkaTaggedFields()
            if version >= 10, !self.nodeEndpoints.isEmpty {
                try tagged.append(tag: 0) { try NodeEndpoint.writeArray(self.nodeEndpoints, into: &$0) }
            }
            buffer.writeKafkaTaggedFields(tagged)
        }
    }
}
