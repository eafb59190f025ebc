/// The `kafka:` section: clusters and the MQTT ⇄ Kafka mappings the bridge (issue 6) runs.
public struct KafkaSettings: Sendable, Hashable {
    /// `kafka.clusters[]`.
    public struct Cluster: Sendable, Hashable {
        /// `name`: how mappings refer to the cluster.
        public var name: String
        /// `bootstrap`: `HOST:PORT` brokers to fetch metadata from.
        public var bootstrap: [HostAndPort]
        /// `client-id`: the Kafka client id. Default `tributary`.
        public var clientID: String

        public init(name: String, bootstrap: [HostAndPort], clientID: String = "tributary") {
            self.name = name
            self.bootstrap = bootstrap
            self.clientID = clientID
        }
    }

    /// How a `sync` mapping answers a publisher while Kafka is unreachable (`on-kafka-unavailable`).
    public enum UnavailablePolicy: String, Sendable, Hashable, CaseIterable {
        /// Keep the message in the durable spool and acknowledge it (the default).
        case spool
        /// Answer with a reason code (v5 0x97 Quota exceeded / 0x80); nothing is acknowledged.
        case reject
    }

    /// When a QoS ≥ 1 message from a device is acknowledged (`mode`).
    public enum DeliveryMode: String, Sendable, Hashable, CaseIterable {
        /// After the Kafka leader acknowledged the record (`acks=all`). The default.
        case sync
        /// After the record is fsync'd in the local spool.
        case async
    }

    /// `kafka.mqtt-to-kafka[]`.
    public struct MQTTToKafkaMapping: Sendable, Hashable {
        public var name: String
        /// `cluster`: a `clusters[].name`; may be left out when there is one cluster.
        public var cluster: String
        /// `mqtt-topic-filters`: MQTT topic filters whose messages go to Kafka.
        public var mqttTopicFilters: [String]
        /// `kafka-topic`: template; `${topic[N]}`, `${clientid}`, `${username}`.
        public var kafkaTopic: String
        /// `key`: template for the record key; nil means the MQTT topic.
        public var key: String?
        public var mode: DeliveryMode
        public var onKafkaUnavailable: UnavailablePolicy
        /// `headers`: send the MQTT metadata as Kafka headers. Default true.
        public var headers = true
        /// `acks`: `0`, `1` or `all`; nil keeps the producer's default (`all`).
        public var acks: Acks?
        /// `compression`: `none`, `gzip`, `snappy`, `lz4` or `zstd`; nil: none.
        public var compression: Compression?
        /// `linger-ms`: how long a batch waits for more records; nil: 5 ms.
        public var lingerMilliseconds: Int?
        /// `idempotence`: nil keeps the default (on).
        public var idempotence: Bool?
        /// `auto-create-partitions`: create a missing Kafka topic with this many partitions; nil:
        /// records for a missing topic fail (v5 publishers get 0x80).
        public var autoCreatePartitions: Int?
        /// `unavailable-after-ms`: how long a record may wait for Kafka's acknowledgement before
        /// Kafka counts as unavailable (then `on-kafka-unavailable` applies). Default 5000.
        public var unavailableAfterMilliseconds = 5_000
        /// `spool-max-records`: the spool's bound in records. Default 1,000,000.
        public var spoolMaximumRecords = 1_000_000
        /// `spool-max-bytes`: the spool's bound in bytes of keys, values and headers. Default 1 GiB.
        public var spoolMaximumBytes = 1 << 30
        /// `dead-letter-topic`: a Kafka topic on the mapping's cluster for records Kafka refuses
        /// for good; nil: the `dead_letters` table of the store.
        public var deadLetterTopic: String?

        public init(
            name: String,
            cluster: String,
            mqttTopicFilters: [String],
            kafkaTopic: String,
            key: String? = nil,
            mode: DeliveryMode = .sync,
            onKafkaUnavailable: UnavailablePolicy = .spool
        ) {
            self.name = name
            self.cluster = cluster
            self.mqttTopicFilters = mqttTopicFilters
            self.kafkaTopic = kafkaTopic
            self.key = key
            self.mode = mode
            self.onKafkaUnavailable = onKafkaUnavailable
        }
    }

    /// A mapping's `acks`.
    public enum Acks: String, Sendable, Hashable, CaseIterable {
        case none = "0"
        case leader = "1"
        case all
    }

    /// A mapping's `compression`.
    public enum Compression: String, Sendable, Hashable, CaseIterable {
        case none, gzip, snappy, lz4, zstd
    }

    public var clusters: [Cluster] = []
    public var mqttToKafka: [MQTTToKafkaMapping] = []
    public var kafkaToMQTT: [KafkaToMQTTMapping] = []

    public init() {}

    /// Whether any mapping is configured (the bridge has work to do).
    public var hasMappings: Bool { !mqttToKafka.isEmpty || !kafkaToMQTT.isEmpty }
}

/// A `HOST:PORT` value from the configuration file.
public struct HostAndPort: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all addresses); nil when malformed or the
    /// port is not in 1–65535.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            return nil  // an IPv6 address needs brackets
        }
        if host.contains(where: \.isWhitespace) { return nil }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
