import NIOCore

/// Every MQTT control packet, as a closed enum of payload structs.
///
/// One vocabulary serves 3.1, 3.1.1 and 5.0: fields that only exist in 5.0 (properties, most
/// reason codes) are empty or `.success` for the older versions, and the codec maps between the
/// 5.0 reason codes and the 3.1.1 return codes where the older protocol has them.
public enum MQTTPacket: Sendable, Hashable {
    case connect(ConnectPacket)
    case connack(ConnAckPacket)
    case publish(PublishPacket)
    case puback(PublishFlowPacket)
    case pubrec(PublishFlowPacket)
    case pubrel(PublishFlowPacket)
    case pubcomp(PublishFlowPacket)
    case subscribe(SubscribePacket)
    case suback(SubAckPacket)
    case unsubscribe(UnsubscribePacket)
    case unsuback(UnsubAckPacket)
    case pingreq
    case pingresp
    case disconnect(DisconnectPacket)
    case auth(AuthPacket)

    public var type: MQTTPacketType {
        switch self {
        case .connect: .connect
        case .connack: .connack
        case .publish: .publish
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .subscribe: .subscribe
        case .suback: .suback
        case .unsubscribe: .unsubscribe
        case .unsuback: .unsuback
        case .pingreq: .pingreq
        case .pingresp: .pingresp
        case .disconnect: .disconnect
        case .auth: .auth
        }
    }
}
