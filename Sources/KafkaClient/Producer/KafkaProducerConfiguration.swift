import KafkaProtocol

/// Producer settings. Names follow the Java client's (`batch.size`, `linger.ms`, ...).
public struct KafkaProducerConfiguration: Sendable {
    /// Which acknowledgement the producer waits for (`acks`).
    public enum Acks: Int16, Sendable {
        /// Fire and forget: the broker does not answer; offsets are unknown (-1).
        case none = 0
        /// The leader wrote the record.
        case leader = 1
        /// Every in-sync replica has the record (-1). Required for idempotence.
        case all = -1
    }

    /// Connection, retry and timeout settings.
    public var client: KafkaClientConfiguration
    /// Acknowledgements to wait for. Default ``Acks/all``.
    public var acks: Acks
    /// Exactly-once per partition within a producer session (KIP-98): producer id and
    /// sequence numbers let the broker drop duplicates of resent batches. Default true; it is
    /// only in effect with ``Acks/all`` (as in the Java client).
    public var isIdempotent: Bool
    /// The largest uncompressed batch per partition, in bytes (`batch.size`). Default 1 000 000
    /// (librdkafka's default; the Java client uses 16 384).
    public var batchSize: Int
    /// How long a batch that is not full waits for more records (`linger.ms`). Default 5 ms.
    public var linger: Duration
    /// Compression of each batch (`compression.type`). Default none.
    public var compression: CompressionCodec
    /// Memory for records waiting to be sent or acknowledged (`buffer.memory`). When it is used
    /// up, ``KafkaProducer/send(_:)`` suspends until answers free some. Default 64 MiB.
    public var bufferMemory: Int
    /// The largest request the producer builds (`max.request.size`); a bigger record fails
    /// with ``KafkaError/Code/messageTooLarge``. Default 1 048 576.
    public var maxRequestSize: Int
    /// Batches per partition in flight at once (`max.in.flight.requests.per.connection`, here
    /// per partition). At most 5 with idempotence, which keeps the order; without idempotence
    /// the producer uses 1, so a retry cannot reorder records. Default 5.
    public var maxInFlightPerPartition: Int
    /// How long a record may take from `send` to its acknowledgement, retries included
    /// (`delivery.timeout.ms`). Default 120 s.
    public var deliveryTimeout: Duration

    /// Creates a configuration with the defaults above.
    public init(client: KafkaClientConfiguration) {
        self.client = client
        self.acks = .all
        self.isIdempotent = true
        self.batchSize = 1_000_000
        self.linger = .milliseconds(5)
        self.compression = .uncompressed
        self.bufferMemory = 64 * 1024 * 1024
        self.maxRequestSize = 1_048_576
        self.maxInFlightPerPartition = 5
        self.deliveryTimeout = .seconds(120)
    }

    /// Creates a configuration for the given bootstrap servers with the defaults above.
    public init(bootstrapServers: [KafkaBrokerAddress], clientID: String = "tributary") {
        self.init(client: KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: clientID))
    }

    /// Whether idempotence is in effect.
    var idempotenceEnabled: Bool { self.isIdempotent && self.acks == .all }

    var accumulatorSettings: ProducerAccumulator.Settings {
        ProducerAccumulator.Settings(
            batchSize: min(self.batchSize, self.maxRequestSize),
            linger: self.linger,
            compression: self.compression,
            maxInFlightPerPartition: self.idempotenceEnabled ? min(max(self.maxInFlightPerPartition, 1), 5) : 1,
            idempotent: self.idempotenceEnabled,
            deliveryTimeout: self.deliveryTimeout
        )
    }
}
