import NIOCore

// AUTH (MQTT 5.0 §3.15); the fixed header check refuses it in 3.1/3.1.1.

extension AuthPacket {
    static func decode(from body: inout ByteBuffer) throws(MQTTCodecError) -> Self {
        // §3.15.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is
        // 0x00 (Success) and there are no Properties. In this case the AUTH has a Remaining
        // Length of 0."
        guard body.readableBytes > 0 else {
            return Self()
        }
        let reasonCode = MQTTReasonCode(rawValue: try body.readMQTTByte("Authenticate Reason Code"))
        var properties = MQTTProperties()
        if body.readableBytes > 0 {
            properties = try MQTTProperties.read(from: &body, in: .auth)
        }
        let packet = Self(reasonCode: reasonCode, properties: properties)
        try packet.validateMethod()
        return packet
    }

    /// §3.15.2.2.2: "It is a Protocol Error to omit the Authentication Method". The one AUTH
    /// without it is the abbreviated Success of §3.15.2.1.
    private func validateMethod() throws(MQTTCodecError) {
        let isAbbreviatedSuccess = self.reasonCode == .success && self.properties.isEmpty
        if !isAbbreviatedSuccess && !self.properties.contains(.authenticationMethod) {
            throw .protocolError("AUTH without an Authentication Method (MQTT 5.0 §3.15.2.2.2)")
        }
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        guard version.hasProperties else {
            throw .malformed("AUTH does not exist in MQTT \(version) (packet type 15 is reserved, MQTT 3.1.1 §2.2.1)")
        }
        try self.properties.validate(in: .auth)
        try self.validateMethod()
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        if self.reasonCode == .success && self.properties.isEmpty { return 0 }
        return 1 + self.properties.encodedLengthWithPrefix
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        if self.reasonCode == .success && self.properties.isEmpty { return }
        buffer.writeInteger(self.reasonCode.rawValue)
        buffer.writeMQTTProperties(self.properties)
    }
}
