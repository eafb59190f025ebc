import NIOCore

// CONNACK (MQTT 5.0 §3.2, MQTT 3.1.1 §3.2). MQTT 3.1 calls the first byte "Topic Name Compression
// Response, reserved"; 3.1.1 made bit 0 Session Present. We write and read it as 3.1.1 does for
// 3.1 too: a 3.1 client ignores the byte.

extension ConnAckPacket {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTCodecError) -> Self {
        let flags = try body.readMQTTByte("Connect Acknowledge Flags")
        // MQTT-3.2.2-1: "Bits 7-1 are reserved and MUST be set to 0".
        guard flags & 0xFE == 0 else {
            throw .malformed("CONNACK reserved flags 0b\(String(flags, radix: 2)) (MQTT-3.2.2-1)")
        }
        let sessionPresent = flags & 0x01 != 0
        let code = try body.readMQTTByte("Connect Reason Code")
        let reasonCode: MQTTReasonCode
        let properties: MQTTProperties
        if version.hasProperties {
            reasonCode = MQTTReasonCode(rawValue: code)
            properties = try MQTTProperties.read(from: &body, in: .connack)
        } else {
            guard let mapped = MQTTReasonCode(connectReturnCode: code) else {
                throw .protocolError("connect return code \(code) is reserved (MQTT 3.1.1 §3.2.2.3)")
            }
            reasonCode = mapped
            properties = MQTTProperties()
        }
        try Self.validateSessionPresent(sessionPresent, reasonCode)
        return Self(sessionPresent: sessionPresent, reasonCode: reasonCode, properties: properties)
    }

    /// 5.0 MQTT-3.2.2-6, 3.1.1 MQTT-3.2.2-4: "If a Server sends a CONNACK packet containing a
    /// non-zero Reason Code it MUST set Session Present to 0".
    private static func validateSessionPresent(
        _ sessionPresent: Bool,
        _ reasonCode: MQTTReasonCode
    )
        throws(MQTTCodecError)
    {
        if sessionPresent && reasonCode != .success {
            throw .protocolError("Session Present with reason code \(reasonCode) (MQTT-3.2.2-6; 3.1.1: MQTT-3.2.2-4)")
        }
    }

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        try Self.validateSessionPresent(self.sessionPresent, self.reasonCode)
        if version.hasProperties {
            try self.properties.validate(in: .connack)
        } else if self.reasonCode.connectReturnCode == nil {
            throw .protocolError(
                "\(self.reasonCode) has no MQTT \(version) connect return code; close without CONNACK (MQTT 3.1.1 MQTT-3.2.2-6)"
            )
        }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        2 + (version.hasProperties ? self.properties.encodedLengthWithPrefix : 0)
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeInteger(self.sessionPresent ? 1 as UInt8 : 0)
        if version.hasProperties {
            buffer.writeInteger(self.reasonCode.rawValue)
            buffer.writeMQTTProperties(self.properties)
        } else {
            // validate(version:) made sure there is a return code.
            buffer.writeInteger(self.reasonCode.connectReturnCode ?? 3)
        }
    }
}
