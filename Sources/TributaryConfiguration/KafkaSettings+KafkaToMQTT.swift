extension KafkaSettings {
    /// `kafka.kafka-to-mqtt[]`: Kafka records delivered to MQTT subscribers.
    public struct KafkaToMQTTMapping: Sendable, Hashable {
        /// Where a consumer group without a committed offset starts (`auto-offset-reset`).
        public enum OffsetReset: String, Sendable, Hashable, CaseIterable {
            case earliest, latest
        }

        public var name: String
        /// `cluster`: a `clusters[].name`; may be left out when there is one cluster.
        public var cluster: String
        /// `kafka-topics`: topics to consume; empty when `kafkaTopicPattern` is set.
        public var kafkaTopics: [String]
        /// `kafka-topic-pattern`: a regular expression; every topic whose whole name matches is
        /// consumed. Exactly one of `kafka-topics` and `kafka-topic-pattern` is given.
        public var kafkaTopicPattern: String?
        /// `group-id`: the consumer group. Default `tributary-<name>`.
        public var groupID: String
        /// `mqtt-topic`: template; `${key}`, `${topic}` (the Kafka topic), `${partition}`,
        /// `${header.NAME}`, `${value.FIELD}` (a JSON field of the value), static text.
        public var mqttTopic: String
        /// `qos`: QoS of the MQTT messages, 0–2. Default 1.
        public var qos: Int
        /// `retain`: publish with RETAIN set. Default false.
        public var retain: Bool
        /// `content-type`: v5 Content Type of the messages. Default none.
        public var contentType: String?
        /// `user-properties-from-headers`: record headers sent as v5 User Properties. Default none.
        public var userPropertiesFromHeaders: [String] = []
        /// `message-expiry-seconds`: v5 Message Expiry Interval. Default none (no expiry).
        public var messageExpirySeconds: Int?
        /// `auto-offset-reset`: `earliest` (default: no record is skipped) or `latest`.
        public var autoOffsetReset: OffsetReset = .earliest
        /// `commit-interval-ms`: completed offsets are committed at most this often. Default 200.
        public var commitIntervalMilliseconds = 200
        /// `commit-records`: … or as soon as this many records completed. Default 1000.
        public var commitRecords = 1_000
        /// `max-in-flight`: records handed to the broker and not yet delivered, at most. Default
        /// 10000.
        public var maximumInFlight = 10_000
        /// `session-timeout-ms`: how soon the group moves the partitions of a member that
        /// vanished (for example a killed Tributary) to another member. Default 10000.
        public var sessionTimeoutMilliseconds = 10_000

        public init(
            name: String,
            cluster: String,
            kafkaTopics: [String],
            kafkaTopicPattern: String? = nil,
            groupID: String,
            mqttTopic: String,
            qos: Int = 1,
            retain: Bool = false,
            contentType: String? = nil
        ) {
            self.name = name
            self.cluster = cluster
            self.kafkaTopics = kafkaTopics
            self.kafkaTopicPattern = kafkaTopicPattern
            self.groupID = groupID
            self.mqttTopic = mqttTopic
            self.qos = qos
            self.retain = retain
            self.contentType = contentType
        }
    }
}
