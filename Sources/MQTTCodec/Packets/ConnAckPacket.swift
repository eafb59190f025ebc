/// CONNACK: the server's answer to CONNECT (MQTT 5.0 §3.2, MQTT 3.1.1 §3.2).
///
/// `reasonCode` uses the 5.0 vocabulary for every version. For 3.1/3.1.1 the codec maps it to
/// the connect return code (0 accepted, 1 unacceptable protocol version, 2 identifier rejected,
/// 3 server unavailable, 4 bad user name or password, 5 not authorized) and back.
public struct ConnAckPacket: Sendable, Hashable {
    public var sessionPresent: Bool
    public var reasonCode: MQTTReasonCode
    public var properties: MQTTProperties

    public init(sessionPresent: Bool = false, reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = []) {
        self.sessionPresent = sessionPresent
        self.reasonCode = reasonCode
        self.properties = properties
    }
}
