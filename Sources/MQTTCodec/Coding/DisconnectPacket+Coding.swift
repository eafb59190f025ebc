import NIOCore

// DISCONNECT (MQTT 5.0 §3.14, MQTT 3.1.1 §3.14). In 3.1/3.1.1 it has no variable header and only
// a client sends it; the encoder cannot tell who is sending, so it writes any 3.1.1 DISCONNECT that
// says "normal disconnection" and the decoder refuses one arriving at a client.

extension DisconnectPacket {
    static func decode(
        from body: inout ByteBuffer,
        version: MQTTProtocolVersion,
        role: MQTTPacketDecoder.Role
    ) throws(MQTTCodecError) -> Self {
        // §3.14.2.1: "If the Remaining Length is less than 1 the value of 0x00 (Normal
        // disconnection) is used." 3.1.1 ends here; extra bytes are caught as left over.
        guard version.hasProperties, body.readableBytes > 0 else {
            return Self()
        }
        let reasonCode = MQTTReasonCode(rawValue: try body.readMQTTByte("Disconnect Reason Code"))
        // §3.14.2.2.1: "If the Remaining Length is less than 2, a value of 0 is used."
        var properties = MQTTProperties()
        if body.readableBytes > 0 {
            properties = try MQTTProperties.read(from: &body, in: .disconnect)
        }
        // MQTT-3.14.2-2: "The Session Expiry Interval MUST NOT be sent on a DISCONNECT by the Server".
        if role == .client && properties.contains(.sessionExpiryInterval) {
            throw .protocolError("DISCONNECT from the server carries a Session Expiry Interval (MQTT-3.14.2-2)")
        }
        return Self(reasonCode: reasonCode, properties: properties)
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        if version.hasProperties {
            try self.properties.validate(in: .disconnect)
        } else if self.reasonCode != .normalDisconnection {
            throw .protocolError(
                "DISCONNECT with \(self.reasonCode) cannot be sent in MQTT \(version): it has no reason code, and a 3.1.1 server sends no DISCONNECT (MQTT 3.1.1 §3.14)"
            )
        }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        guard version.hasProperties else { return 0 }
        // §3.14.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is
        // 0x00 (Normal disconnecton) and there are no Properties."
        if self.properties.isEmpty { return self.reasonCode == .normalDisconnection ? 0 : 1 }
        return 1 + self.properties.encodedLengthWithPrefix
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        guard version.hasProperties else { return }
        if self.properties.isEmpty {
            if self.reasonCode != .normalDisconnection { buffer.writeInteger(self.reasonCode.rawValue) }
            return
        }
        buffer.writeInteger(self.reasonCode.rawValue)
        buffer.writeMQTTProperties(self.properties)
    }
}
