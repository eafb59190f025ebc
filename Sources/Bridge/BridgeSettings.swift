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
    /// When a QoS ≥ 1 publisher is acknowledged (`mode`). Default `.sync`.
    public var mode: DeliveryMode
    /// What a `sync` mapping does while Kafka is unavailable (`on-kafka-unavailable`).
    public var onKafkaUnavailable: UnavailablePolicy
    /// How long a record may wait for Kafka's acknowledgement before Kafka counts as
    /// unavailable (`unavailable-after-ms`). Default 5 s.
    public var unavailableAfter: Duration
    /// The spool's bounds (`spool-max-records`, `spool-max-bytes`).
    public var spoolMaximumRecords: Int
    public var spoolMaximumBytes: Int
    /// A Kafka topic on the same cluster for records Kafka refuses for good
    /// (`dead-letter-topic`); nil: the store's `dead_letters` table.
    public var deadLetterTopic: String?

    /// `mode`.
    public enum DeliveryMode: Sendable, Hashable {
        /// PUBACK after Kafka's acknowledgement.
        case sync
        /// PUBACK after the record is on disk in the spool; the spool drains to Kafka.
        case async
    }

    /// `on-kafka-unavailable`.
    public enum UnavailablePolicy: Sendable, Hashable {
        /// Fall back to the spool and acknowledge once the record is on disk there.
        case spool
        /// Answer the publisher with 0x80 (v5) or close its connection (3.1.1).
        case reject
    }

    public init(
        name: String,
        cluster: String,
        mqttTopicFilters: [String],
        kafkaTopic: String,
        key: String? = nil,
        headers: Bool = true,
        producer: ProducerOverrides = ProducerOverrides(),
        mode: DeliveryMode = .sync,
        onKafkaUnavailable: UnavailablePolicy = .spool,
        unavailableAfter: Duration = .seconds(5),
        spoolMaximumRecords: Int = 1_000_000,
        spoolMaximumBytes: Int = 1 << 30,
        deadLetterTopic: String? = nil
    ) {
        self.name = name
        self.cluster = cluster
        self.mqttTopicFilters = mqttTopicFilters
        self.kafkaTopic = kafkaTopic
        self.key = key
        self.headers = headers
        self.producer = producer
        self.mode = mode
        self.onKafkaUnavailable = onKafkaUnavailable
        self.unavailableAfter = unavailableAfter
        self.spoolMaximumRecords = spoolMaximumRecords
        self.spoolMaximumBytes = spoolMaximumBytes
        self.deadLetterTopic = deadLetterTopic
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
    /// How long the producer keeps trying a record. The bridge sets it from the mapping's
    /// unavailability policy: a spooling mapping never gives a record up (the spool covers the
    /// publisher meanwhile, and giving up could reorder a key); a rejecting one gives up after
    /// `unavailable-after-ms`.
    public var deliveryTimeout: Duration?

    public init(
        acks: KafkaProducerConfiguration.Acks? = nil,
        compression: CompressionCodec? = nil,
        linger: Duration? = nil,
        idempotent: Bool? = nil,
        autoCreatePartitions: Int32? = nil,
        deliveryTimeout: Duration? = nil
    ) {
        self.acks = acks
        self.compression = compression
        self.linger = linger
        self.idempotent = idempotent
        self.autoCreatePartitions = autoCreatePartitions
        self.deliveryTimeout = deliveryTimeout
    }

    func applied(to base: KafkaProducerConfiguration) -> KafkaProducerConfiguration {
        var configuration = base
        if let deliveryTimeout { configuration.deliveryTimeout = deliveryTimeout }
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
