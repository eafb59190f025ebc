import Foundation
import NIOCore

/// A record Kafka refused for good (too large, unknown topic, not authorised), kept in the
/// store's `dead_letters` table when no dead-letter Kafka topic is configured or that topic could
/// not take it either.
public struct DeadLetter: Sendable, Hashable {
    /// The bridge mapping.
    public var mapping: String
    /// Why the record was refused, as Kafka or the bridge said it.
    public var reason: String
    /// The MQTT topic the message came from.
    public var mqttTopic: String
    /// The Kafka topic it was meant for (may be empty when the template could not build one).
    public var kafkaTopic: String
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    /// When it was dead-lettered, Unix ms.
    public var timestamp: Int64

    public init(
        mapping: String,
        reason: String,
        mqttTopic: String,
        kafkaTopic: String,
        key: ByteBuffer?,
        value: ByteBuffer?,
        timestamp: Int64 = Int64((Date().timeIntervalSince1970 * 1_000).rounded())
    ) {
        self.mapping = mapping
        self.reason = reason
        self.mqttTopic = mqttTopic
        self.kafkaTopic = kafkaTopic
        self.key = key
        self.value = value
        self.timestamp = timestamp
    }
}
