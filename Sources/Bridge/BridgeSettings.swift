import KafkaClient
import MQTTCodec

/// A Kafka cluster the bridge writes to (`kafka.clusters[]`).
public struct BridgeCluster: Sendable {
    public var name: String
    public var producer: KafkaProducerConfiguration

    public init(name: String, producer: KafkaProducerConfiguration) {
        self.name = name
        self.producer = producer
    }
}

/// One `kafka.mqtt-to-kafka[]` mapping, as the bridge needs it.
public struct BridgeMappingSettings: Sendable {
    public var name: String
    /// The `name` of a `BridgeCluster`.
    public var cluster: String
    public var mqttTopicFilters: [String]
    public var kafkaTopic: String
    /// nil: the MQTT topic is the key.
    public var key: String?
    /// Whether the MQTT metadata goes along as Kafka headers. Default true.
    public var headers: Bool

    public init(
        name: String,
        cluster: String,
        mqttTopicFilters: [String],
        kafkaTopic: String,
        key: String? = nil,
        headers: Bool = true
    ) {
        self.name = name
        self.cluster = cluster
        self.mqttTopicFilters = mqttTopicFilters
        self.kafkaTopic = kafkaTopic
        self.key = key
        self.headers = headers
    }
}

/// Who published a message, for templates and headers.
public struct BridgePublisher: Sendable {
    public var clientID: String
    public var username: String?

    public init(clientID: String, username: String?) {
        self.clientID = clientID
        self.username = username
    }
}

/// Why a message did not reach Kafka, and what a v5 publisher is told.
public struct BridgeFailure: Error, Sendable, CustomStringConvertible {
    /// 0x80 Unspecified error (Kafka failed or is unreachable), 0x97 Quota exceeded (the bridge's
    /// queue is full), 0x95 Packet too large (Kafka refuses a record that big).
    public var reasonCode: MQTTReasonCode
    public var mapping: String
    public var detail: String

    public var description: String { "mapping \(mapping): \(detail)" }
}

/// The bridge's settings are wrong (an unknown cluster, a bad template, a bad filter).
public struct BridgeConfigurationError: Error, Sendable, CustomStringConvertible {
    public var description: String
}
