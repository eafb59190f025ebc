import KafkaProtocol
import NIOCore

/// A record header (key and optional value).
public typealias KafkaHeader = RecordHeader

/// A record to produce.
public struct KafkaProducerMessage: Sendable {
    /// The topic.
    public var topic: String
    /// The partition; nil lets the partitioner choose (murmur2 of the key, or sticky when keyless).
    public var partition: Int32?
    /// The key (null when nil).
    public var key: ByteBuffer?
    /// The value (null when nil).
    public var value: ByteBuffer?
    /// Record headers, in order.
    public var headers: [KafkaHeader]
    /// CreateTime in milliseconds since the epoch; nil: when ``KafkaProducer/send(_:)`` is called.
    public var timestamp: Int64?

    /// Creates a message.
    public init(
        topic: String,
        partition: Int32? = nil,
        key: ByteBuffer? = nil,
        value: ByteBuffer?,
        headers: [KafkaHeader] = [],
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// Creates a message with string key and value (UTF-8).
    public init(topic: String, key: String?, value: String, headers: [KafkaHeader] = [], timestamp: Int64? = nil) {
        self.init(
            topic: topic,
            key: key.map { ByteBuffer(string: $0) },
            value: ByteBuffer(string: value),
            headers: headers,
            timestamp: timestamp
        )
    }
}

/// The id ``KafkaProducer/send(_:)`` gives a message, to match it with its delivery report.
public struct KafkaProducerMessageID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Ids count up from 1 per producer.
    public var rawValue: UInt64

    /// Creates an id.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "\(self.rawValue)" }
}

/// Where a record landed.
public struct KafkaDeliveryReport: Hashable, Sendable {
    /// The message's id.
    public var id: KafkaProducerMessageID
    /// The topic and partition.
    public var topicPartition: TopicPartition
    /// The record's offset; -1 when unknown (acks=0, or a resend the broker already had).
    public var offset: Int64

    /// Creates a report.
    public init(id: KafkaProducerMessageID, topicPartition: TopicPartition, offset: Int64) {
        self.id = id
        self.topicPartition = topicPartition
        self.offset = offset
    }
}
