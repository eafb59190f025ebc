extension MQTTCodecError {
    /// A packet that cannot be parsed according to the specification (0x81, MQTT 5.0 §1.2, §4.13).
    static func malformed(_ detail: String, _ packetType: MQTTPacketType? = nil) -> Self {
        Self(reasonCode: .malformedPacket, detail: detail, packetType: packetType)
    }

    /// A packet that parses but carries data the protocol does not allow (0x82, MQTT 5.0 §1.2, §4.13).
    static func protocolError(_ detail: String, _ packetType: MQTTPacketType? = nil) -> Self {
        Self(reasonCode: .protocolError, detail: detail, packetType: packetType)
    }

    /// Fills in the packet type of an error raised by a helper that does not know it.
    func inPacket(_ type: MQTTPacketType) -> Self {
        var copy = self
        if copy.packetType == nil { copy.packetType = type }
        return copy
    }
}
