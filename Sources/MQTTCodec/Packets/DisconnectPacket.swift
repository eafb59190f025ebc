/// DISCONNECT (MQTT 5.0 §3.14, MQTT 3.1.1 §3.14). In 5.0 either side may send it with a reason
/// code; in 3.1.1 only the client sends it and it has no variable header.
public struct DisconnectPacket: Sendable, Hashable {
    public var reasonCode: MQTTReasonCode
    public var properties: MQTTProperties

    public init(reasonCode: MQTTReasonCode = .normalDisconnection, properties: MQTTProperties = []) {
        self.reasonCode = reasonCode
        self.properties = properties
    }
}
