import NIOCore

/// CreateTopics response (key 19), versions 2-7 (CreateTopicsResponse.json, flexible 5+):
///
///     throttle_time_ms INT32 (v2+)
///     topics [name STRING, topic_id UUID (v7+), error_code INT16, error_message NULLABLE_STRING (v1+),
///             tag 0: topic_config_error_code INT16 (v5+),
///             num_partitions INT32 (v5+), replication_factor INT16 (v5+),
///             configs [name STRING, value NULLABLE_STRING, read_only BOOLEAN, config_source INT8,
///                      is_sensitive BOOLEAN] (v5+, nullable)]
public struct CreateTopicsResponse: KafkaMessage {
    public static let apiKey = APIKey.createTopics

    public struct Config: Hashable, Sendable {
        public var name: String
        public var value: String?
        public var readOnly: Bool
        public var configSource: Int8
        public var isSensitive: Bool

        public init(
            name: String,
            value: String?,
            readOnly: Bool = false,
            configSource: Int8 = -1,
            isSensitive: Bool = false
        ) {
            self.name = name
            self.value = value
            self.readOnly = readOnly
            self.configSource = configSource
            self.isSensitive = isSensitive
        }
    }

    public struct Topic: Hashable, Sendable {
        public var name: String
        /// v7+; zero otherwise.
        public var topicID: KafkaUUID
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?
        /// Tagged (v5+): why the configs could not be returned, if they could not.
        public var topicConfigErrorCode: KafkaErrorCode
        /// v5+; -1 otherwise.
        public var numPartitions: Int32
        /// v5+; -1 otherwise.
        public var replicationFactor: Int16
        /// v5+; nil when not returned.
        public var configs: [Config]?

        public init(
            name: String,
            topicID: KafkaUUID = .zero,
            errorCode: KafkaErrorCode = .noError,
            errorMessage: String? = nil,
            topicConfigErrorCode: KafkaErrorCode = .noError,
            numPartitions: Int32 = -1,
            replicationFactor: Int16 = -1,
            configs: [Config]? = nil
        ) {
            self.name = name
            self.topicID = topicID
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.topicConfigErrorCode = topicConfigErrorCode
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.configs = configs
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
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 4) { buffer in
            var topic = Topic(name: try buffer.readKafkaString(flexible: flexible))
            if version >= 7 { topic.topicID = try buffer.readKafkaUUID() }
            topic.errorCode = try buffer.readKafkaErrorCode()
            if version >= 1 { topic.errorMessage = try buffer.readKafkaNullableString(flexible: flexible) }
            if version >= 5 {
                topic.numPartitions = try buffer.readKafkaInt32()
                topic.replicationFactor = try buffer.readKafkaInt16()
                topic.configs = try buffer.readKafkaNullableArray(flexible: flexible, minimumElementSize: 5) { buffer in
                    let config = Config(
                        name: try buffer.readKafkaString(flexible: flexible),
                        value: try buffer.readKafkaNullableString(flexible: flexible),
                        readOnly: try buffer.readKafkaBool(),
                        configSource: try buffer.readKafkaInt8(),
                        isSensitive: try buffer.readKafkaBool()
                    )
                    if flexible { try buffer.readKafkaTaggedFields() }
                    return config
                }
            }
            if flexible {
                try buffer.readKafkaTaggedFields { tag, data in
                    guard tag == 0 else { return false }
                    topic.topicConfigErrorCode = try data.readKafkaErrorCode()
                    return true
                }
            }
            return topic
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 2 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            if version >= 7 { buffer.writeKafkaUUID(topic.topicID) }
            buffer.writeKafkaErrorCode(topic.errorCode)
            if version >= 1 { try buffer.writeKafkaNullableString(topic.errorMessage, flexible: flexible) }
            if version >= 5 {
                buffer.writeKafkaInt32(topic.numPartitions)
                buffer.writeKafkaInt16(topic.replicationFactor)
                try buffer.writeKafkaNullableArray(topic.configs, flexible: flexible) { buffer, config in
                    try buffer.writeKafkaString(config.name, flexible: flexible)
                    try buffer.writeKafkaNullableString(config.value, flexible: flexible)
                    buffer.writeKafkaBool(config.readOnly)
                    buffer.writeKafkaInt8(config.configSource)
                    buffer.writeKafkaBool(config.isSensitive)
                    if flexible { buffer.writeKafkaEmptyTaggedFields() }
                }
            }
            if flexible {
                var tagged = KafkaTaggedFields()
                if !topic.topicConfigErrorCode.isSuccess {
                    tagged.append(tag: 0) { $0.writeKafkaErrorCode(topic.topicConfigErrorCode) }
                }
                buffer.writeKafkaTaggedFields(tagged)
            }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
