import MQTTCodec

/// One `kafka.kafka-to-mqtt[]` mapping, as the bridge needs it.
public struct KafkaToMQTTSettings: Sendable, Hashable {
    /// Which Kafka topics the mapping consumes.
    public enum Topics: Sendable, Hashable {
        /// `kafka-topics`: these topics.
        case list([String])
        /// `kafka-topic-pattern`: every topic whose whole name matches this regular expression,
        /// checked at start and every `patternRefreshInterval`.
        case pattern(String)
    }

    public var name: String
    /// The `name` of a `BridgeCluster`.
    public var cluster: String
    public var topics: Topics
    /// The consumer group; committed offsets live there.
    public var groupID: String
    /// `mqtt-topic`: a `KafkaToMQTTTemplate`.
    public var mqttTopic: String
    public var qos: QoS
    public var retain: Bool
    /// `content-type`: the v5 Content Type of every message; nil: none.
    public var contentType: String?
    /// `user-properties-from-headers`: record headers copied as v5 User Properties (name = header
    /// key), in record order.
    public var userPropertiesFromHeaders: [String]
    /// `message-expiry-seconds`: the v5 Message Expiry Interval, counted from when the record is
    /// handed to the broker; nil: the messages do not expire.
    public var messageExpirySeconds: UInt32?
    /// Committable offsets are committed at most this often …
    public var commitInterval: Duration
    /// … or as soon as this many records completed since the last commit.
    public var commitRecords: Int
    /// Records handed to the broker and not yet completed, at most; consuming waits beyond.
    public var maximumInFlight: Int
    /// `auto-offset-reset`: where a group without a committed offset starts: `earliest` or
    /// `latest` (true: earliest).
    public var startFromEarliest: Bool
    /// How often a `kafka-topic-pattern` is checked against the cluster's topics.
    public var patternRefreshInterval: Duration
    /// The consumer's group session timeout: how soon the group gives the partitions of a
    /// member that vanished (a killed broker) to another member, or to the same one restarted.
    public var sessionTimeout: Duration

    public init(
        name: String,
        cluster: String,
        topics: Topics,
        groupID: String,
        mqttTopic: String,
        qos: QoS = .atLeastOnce,
        retain: Bool = false,
        contentType: String? = nil,
        userPropertiesFromHeaders: [String] = [],
        messageExpirySeconds: UInt32? = nil,
        commitInterval: Duration = .milliseconds(200),
        commitRecords: Int = 1_000,
        maximumInFlight: Int = 10_000,
        startFromEarliest: Bool = true,
        patternRefreshInterval: Duration = .seconds(30),
        sessionTimeout: Duration = .seconds(10)
    ) {
        self.name = name
        self.cluster = cluster
        self.topics = topics
        self.groupID = groupID
        self.mqttTopic = mqttTopic
        self.qos = qos
        self.retain = retain
        self.contentType = contentType
        self.userPropertiesFromHeaders = userPropertiesFromHeaders
        self.messageExpirySeconds = messageExpirySeconds
        self.commitInterval = commitInterval
        self.commitRecords = commitRecords
        self.maximumInFlight = maximumInFlight
        self.startFromEarliest = startFromEarliest
        self.patternRefreshInterval = patternRefreshInterval
        self.sessionTimeout = sessionTimeout
    }
}
