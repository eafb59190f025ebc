import KafkaClient
import KafkaProtocol
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
    /// Producer settings of this mapping that differ from its cluster's.
    public var producer: ProducerOverrides

    public init(
        name: String,
        cluster: String,
        mqttTopicFilters: [String],
        kafkaTopic: String,
        key: String? = nil,
        headers: Bool = true,
        producer: ProducerOverrides = ProducerOverrides()
    ) {
        self.name = name
        self.cluster = cluster
        self.mqttTopicFilters = mqttTopicFilters
        self.kafkaTopic = kafkaTopic
        self.key = key
        self.headers = headers
        self.producer = producer
    }
}

/// A mapping's own producer settings (`acks`, `compression`, `linger-ms`, `idempotence`); nil
/// keeps the cluster's. Mappings with the same cluster and the same overrides share a producer.
public struct ProducerOverrides: Sendable, Hashable {
    public var acks: KafkaProducerConfiguration.Acks?
    public var compression: CompressionCodec?
    public var linger: Duration?
    public var idempotent: Bool?
    /// Create a missing Kafka topic with this many partitions (`auto-create-partitions`); nil:
    /// records for a missing topic fail.
    public var autoCreatePartitions: Int32?

    public init(
        acks: KafkaProducerConfiguration.Acks? = nil,
        compression: CompressionCodec? = nil,
        linger: Duration? = nil,
        idempotent: Bool? = nil,
        autoCreatePartitions: Int32? = nil
    ) {
        self.acks = acks
        self.compression = compression
        self.linger = linger
        self.idempotent = idempotent
        self.autoCreatePartitions = autoCreatePartitions
    }

    func applied(to base: KafkaProducerConfiguration) -> KafkaProducerConfiguration {
        var configuration = base
        if let acks { configuration.acks = acks }
        if let compression { configuration.compression = compression }
        if let linger { configuration.linger = linger }
        if let idempotent { configuration.isIdempotent = idempotent }
        return configuration
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
