import BrokerCore
import KafkaClient
import KafkaProtocol
import MQTTCodec
import NIOCore

/// The Kafka headers that carry a message's MQTT metadata, so consumers can tell where a record
/// came from without parsing the key. Names are part of the product's interface
/// (docs/bridge.md); absent properties give no header.
enum BridgeHeaders {
    static let topic = "mqtt.topic"
    static let qos = "mqtt.qos"
    static let retain = "mqtt.retain"
    static let clientID = "mqtt.client-id"
    static let username = "mqtt.username"
    static let contentType = "mqtt.content-type"
    static let payloadFormat = "mqtt.payload-format"
    static let responseTopic = "mqtt.response-topic"
    static let correlationData = "mqtt.correlation-data"

    static func headers(for message: ApplicationMessage, publisher: BridgePublisher) -> [KafkaHeader] {
        var headers: [KafkaHeader] = [
            KafkaHeader(key: topic, value: ByteBuffer(string: message.topic)),
            KafkaHeader(key: qos, value: ByteBuffer(string: "\(message.qos.rawValue)")),
            KafkaHeader(key: retain, value: ByteBuffer(string: message.retain ? "true" : "false")),
            KafkaHeader(key: clientID, value: ByteBuffer(string: publisher.clientID)),
        ]
        if let name = publisher.username {
            headers.append(KafkaHeader(key: username, value: ByteBuffer(string: name)))
        }
        let properties = message.forwardedProperties
        guard !properties.isEmpty else { return headers }
        if let value = properties.contentType {
            headers.append(KafkaHeader(key: contentType, value: ByteBuffer(string: value)))
        }
        if let value = properties.payloadFormat {
            headers.append(
                KafkaHeader(key: payloadFormat, value: ByteBuffer(string: value == .utf8 ? "utf-8" : "bytes"))
            )
        }
        if let value = properties.responseTopic {
            headers.append(KafkaHeader(key: responseTopic, value: ByteBuffer(string: value)))
        }
        if let value = properties.correlationData {
            headers.append(KafkaHeader(key: correlationData, value: value))
        }
        // User properties keep their own names and order (MQTT-3.3.2-18), one header each.
        for property in properties.userProperties {
            headers.append(KafkaHeader(key: property.name, value: ByteBuffer(string: property.value)))
        }
        return headers
    }
}
