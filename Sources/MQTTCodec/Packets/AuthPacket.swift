/// AUTH: enhanced authentication exchange (MQTT 5.0 §3.15). Not part of 3.1.1.
public struct AuthPacket: Sendable, Hashable {
    public var reasonCode: MQTTReasonCode
    public var properties: MQTTProperties

    public init(reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = []) {
        self.reasonCode = reasonCode
        self.properties = properties
    }
}
