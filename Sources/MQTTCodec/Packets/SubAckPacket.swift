/// SUBACK (MQTT 5.0 §3.9, MQTT 3.1.1 §3.9): one reason code per topic filter, in order.
///
/// 3.1.1 return codes (0x00, 0x01, 0x02, 0x80) are the same bytes as the 5.0 codes Granted QoS
/// 0/1/2 and Unspecified error; the encoder writes any other failure code as 0x80 for 3.1.1.
public struct SubAckPacket: Sendable, Hashable {
    public var packetID: UInt16
    public var reasonCodes: [MQTTReasonCode]
    public var properties: MQTTProperties

    public init(packetID: UInt16, reasonCodes: [MQTTReasonCode], properties: MQTTProperties = []) {
        self.packetID = packetID
        self.reasonCodes = reasonCodes
        self.properties = properties
    }
}
