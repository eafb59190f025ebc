/// Why a packet could not be decoded or encoded.
///
/// Every violation carries the MQTT 5.0 reason code a server answers with (0x81 Malformed Packet,
/// 0x82 Protocol Error, 0x95 Packet too large, 0x84 Unsupported Protocol Version, ...). A 3.1.1
/// server closes the connection instead (MQTT 3.1.1 §4.8), except for CONNECT errors that have a
/// CONNACK return code.
public struct MQTTCodecError: Error, Hashable, CustomStringConvertible {
    /// The reason code to report to the peer.
    public var reasonCode: MQTTReasonCode
    /// What exactly was wrong, with the spec rule where there is one; for logs, not for peers.
    public var detail: String
    /// The packet being decoded, when the fixed header was read.
    public var packetType: MQTTPacketType?
    /// For an error in a CONNECT: the version the CONNECT announced, once its Protocol Name and
    /// Protocol Version were read and found supported. A server uses it to answer in the client's
    /// version (a 5.0 CONNACK with `reasonCode`, MQTT 5.0 §4.13.1); `nil` for 0x84 Unsupported
    /// Protocol Version, which a server answers with the 3.1.1 CONNACK return code 1.
    public var protocolVersion: MQTTProtocolVersion?

    public init(
        reasonCode: MQTTReasonCode,
        detail: String,
        packetType: MQTTPacketType? = nil,
        protocolVersion: MQTTProtocolVersion? = nil
    ) {
        self.reasonCode = reasonCode
        self.detail = detail
        self.packetType = packetType
        self.protocolVersion = protocolVersion
    }

    public var description: String {
        "\(packetType.map { "\($0): " } ?? "")\(detail) [\(reasonCode)]"
    }
}
