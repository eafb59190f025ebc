/// PUBACK, PUBREC, PUBREL or PUBCOMP: the packets of the QoS 1 and QoS 2 flows, which share one
/// shape (MQTT 5.0 §3.4–§3.7). `MQTTPacket` says which of the four it is.
///
/// In 5.0 the reason code and properties may be omitted on the wire when the code is Success and
/// there are no properties (§3.4.2.1); in 3.1.1 only the packet identifier exists.
public struct PublishFlowPacket: Sendable, Hashable {
    public var packetID: UInt16
    public var reasonCode: MQTTReasonCode
    public var properties: MQTTProperties

    public init(packetID: UInt16, reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = []) {
        self.packetID = packetID
        self.reasonCode = reasonCode
        self.properties = properties
    }
}
