import KafkaClient

/// A record the Kafka → MQTT bridge could not deliver, for the dead-letter destination.
///
/// Its offset still counts as complete: the record is accounted for (counted, and handed to the
/// dead-letter hook, which the bridge awaits) rather than blocking the partition forever.
public struct KafkaToMQTTDeadLetter: Error, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// The MQTT topic built from the template is not a valid topic name.
        case invalidTopic = "invalid-topic"
        /// No session matched and the message was not retained, or every matching session
        /// dropped it (queue full, offline at QoS 0, …).
        case noSubscriber = "no-subscriber"
    }

    /// The mapping's name.
    public var mapping: String
    public var record: KafkaConsumerRecord
    /// The MQTT topic the template built (for `invalidTopic`, the text that is no topic name,
    /// cut to 1,000 bytes).
    public var mqttTopic: String
    public var reason: Reason
    /// What went wrong, for people.
    public var detail: String

    public var description: String {
        "mapping \(mapping): \(record.topicPartition)@\(record.offset): \(reason.rawValue): \(detail)"
    }

    public init(mapping: String, record: KafkaConsumerRecord, mqttTopic: String, reason: Reason, detail: String) {
        self.mapping = mapping
        self.record = record
        self.mqttTopic =
            mqttTopic.utf8.count > 1_000 ? String(decoding: mqttTopic.utf8.prefix(1_000), as: UTF8.self) : mqttTopic
        self.reason = reason
        self.detail = detail
    }
}
