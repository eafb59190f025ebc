import NIOCore

/// CreateTopics request (key 19), versions 2-7 (CreateTopicsRequest.json, flexible 5+):
///
///     topics [name STRING, num_partitions INT32, replication_factor INT16,
///             assignments [partition_index INT32, broker_ids [INT32]],
///             configs [name STRING, value NULLABLE_STRING]]
///     timeout_ms INT32
///     validate_only BOOLEAN (v1+)
///
/// num_partitions / replication_factor -1 use the broker defaults (v4+, KIP-464).
public struct CreateTopicsRequest: KafkaRequest {
    public typealias Response = CreateTopicsResponse
    public static let apiKey = APIKey.createTopics

    public struct Assignment: Hashable, Sendable {
        public var partitionIndex: Int32
        public var brokerIDs: [Int32]

        public init(partitionIndex: Int32, brokerIDs: [Int32]) {
            self.partitionIndex = partitionIndex
            self.brokerIDs = brokerIDs
        }
    }

    public struct Config: Hashable, Sendable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    public struct Topic: Hashable, Sendable {
        public var name: String
        public var numPartitions: Int32
        public var replicationFactor: Int16
        public var assignments: [Assignment]
        public var configs: [Config]

        public init(
            name: String,
            numPartitions: Int32 = -1,
            replicationFactor: Int16 = -1,
            assignments: [Assignment] = [],
            configs: [Config] = []
        ) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMs: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 8) { buffer in
            var topic = Topic(
                name: try buffer.readKafkaString(flexible: flexible),
                numPartitions: try buffer.readKafkaInt32(),
                replicationFactor: try buffer.readKafkaInt16()
            )
            topic.assignments = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 5) { buffer in
                let assignment = Assignment(
                    partitionIndex: try buffer.readKafkaInt32(),
                    brokerIDs: try buffer.readKafkaInt32Array(flexible: flexible)
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return assignment
            }
            topic.configs = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
                let config = Config(
                    name: try buffer.readKafkaString(flexible: flexible),
                    value: try buffer.readKafkaNullableString(flexible: flexible)
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return config
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return topic
        }
        self.timeoutMs = try buffer.readKafkaInt32()
        self.validateOnly = version >= 1 ? try buffer.readKafkaBool() : false
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            buffer.writeKafkaInt32(topic.numPartitions)
            buffer.writeKafkaInt16(topic.replicationFactor)
            try buffer.writeKafkaArray(topic.assignments, flexible: flexible) { buffer, assignment in
                buffer.writeKafkaInt32(assignment.partitionIndex)
                try buffer.writeKafkaInt32Array(assignment.brokerIDs, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            try buffer.writeKafkaArray(topic.configs, flexible: flexible) { buffer, config in
                try buffer.writeKafkaString(config.name, flexible: flexible)
                try buffer.writeKafkaNullableString(config.value, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        buffer.writeKafkaInt32(self.timeoutMs)
        if version >= 1 { buffer.writeKafkaBool(self.validateOnly) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
