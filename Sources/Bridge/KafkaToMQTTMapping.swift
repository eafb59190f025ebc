import BrokerCore
import KafkaClient
import KafkaProtocol
import MQTTCodec
import NIOCore

/// A Kafka → MQTT mapping ready to use: the parsed topic template and the message properties.
/// Pure: turns a record into the MQTT message the broker routes.
struct KafkaToMQTTMapping: Sendable {
    let name: String
    let topic: KafkaToMQTTTemplate
    let qos: QoS
    let retain: Bool
    let contentType: String?
    let userPropertiesFromHeaders: Set<String>
    let messageExpirySeconds: UInt32?

    init(_ settings: KafkaToMQTTSettings) throws(BridgeConfigurationError) {
        self.name = settings.name
        do {
            self.topic = try KafkaToMQTTTemplate(parsing: settings.mqttTopic)
        } catch {
            throw BridgeConfigurationError(description: "mapping \(settings.name): \(error)")
        }
        self.qos = settings.qos
        self.retain = settings.retain
        self.contentType = settings.contentType
        self.userPropertiesFromHeaders = Set(settings.userPropertiesFromHeaders)
        self.messageExpirySeconds = settings.messageExpirySeconds
    }

    /// The MQTT message for `record`, or why there is none: the topic the template built is not
    /// a valid MQTT topic name (empty, a wildcard, U+0000, more than 65,535 bytes; MQTT 5.0 §4.7).
    /// A null value becomes an empty payload (with `retain`, that clears the retained message).
    func message(for record: KafkaConsumerRecord, now: NIODeadline) -> Result<ApplicationMessage, KafkaToMQTTDeadLetter>
    {
        let topicName = topic.render(record)
        if TopicName.validate(topicName) != nil {
            return .failure(
                KafkaToMQTTDeadLetter(
                    mapping: name,
                    record: record,
                    mqttTopic: topicName,
                    reason: .invalidTopic,
                    detail: Self.topicProblem(topicName)
                )
            )
        }
        var properties = MQTTProperties()
        if let contentType { properties.contentType = contentType }
        if !userPropertiesFromHeaders.isEmpty {
            properties.userProperties = record.headers.compactMap { header in
                guard userPropertiesFromHeaders.contains(header.key) else { return nil }
                let value = header.value.map { String(decoding: $0.readableBytesView, as: UTF8.self) } ?? ""
                return MQTTUserProperty(name: header.key, value: value)
            }
        }
        return .success(
            ApplicationMessage(
                topic: topicName,
                payload: record.value ?? ByteBuffer(),
                qos: qos,
                retain: retain,
                forwardedProperties: properties,
                expiry: messageExpirySeconds.map { MessageExpiry(interval: $0, receivedAt: now) }
            )
        )
    }

    private static func topicProblem(_ topic: String) -> String {
        let bytes = topic.utf8.count
        if bytes == 0 { return "the MQTT topic template gave an empty topic" }
        if bytes > TopicLimits.protocolMaximumLength {
            return "the MQTT topic is \(bytes) bytes, more than 65535"
        }
        let shown = bytes > 200 ? String(topic.prefix(200)) + "…" : topic
        return "\"\(shown)\" is not a valid MQTT topic name (a wildcard, U+0000, or more than 128 levels)"
    }
}
