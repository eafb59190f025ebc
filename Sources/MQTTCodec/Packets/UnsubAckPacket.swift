/// UNSUBACK (MQTT 5.0 §3.11, MQTT 3.1.1 §3.11). 3.1.1 has no payload: `reasonCodes` is empty
/// when decoded from 3.1.1 and is not written for 3.1.1.
public struct UnsubAckPacket: Sendable, Hashable {
    public var packetID: UInt16
    public var reasonCodes: [MQTTReasonCode]
    public var properties: MQTTProperties

    public init(packetID: UInt16, reasonCodes: [MQTTReasonCode] = [], properties: MQTTProperties = []) {
        self.packetID = packetID
        self.reasonCodes = reasonCodes
        self.properties = properties
    }
}
