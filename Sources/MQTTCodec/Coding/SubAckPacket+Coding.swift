import NIOCore

// SUBACK (MQTT 5.0 §3.9, MQTT 3.1.1 §3.9): one reason code per Topic Filter of the SUBSCRIBE.

extension SubAckPacket {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTCodecError) -> Self {
        let packetID = try body.readMQTTTwoByteInteger("Packet Identifier")
        try validateSubscriptionPacketID(packetID, .suback)
        let properties = try version.hasProperties ? MQTTProperties.read(from: &body, in: .suback) : MQTTProperties()
        var reasonCodes: [MQTTReasonCode] = []
        reasonCodes.reserveCapacity(body.readableBytes)
        while let byte = body.readInteger(as: UInt8.self) {
            let code = MQTTReasonCode(rawValue: byte)
            // 3.1.1 MQTT-3.9.3-2: "SUBACK return codes other than 0x00, 0x01, 0x02 and 0x80 are
            // reserved and MUST NOT be used." 5.0 codes are carried as they come.
            if !version.hasProperties && !Self.isV3ReturnCode(code) {
                throw .protocolError(
                    "SUBACK return code 0x\(String(byte, radix: 16)) is reserved (MQTT 3.1.1 MQTT-3.9.3-2)"
                )
            }
            reasonCodes.append(code)
        }
        try Self.validateNotEmpty(reasonCodes)
        return Self(packetID: packetID, reasonCodes: reasonCodes, properties: properties)
    }

    private static func isV3ReturnCode(_ code: MQTTReasonCode) -> Bool {
        code.rawValue <= 2 || code == .unspecifiedError
    }

    /// There is one code per Topic Filter (MQTT-3.8.4-6) and a SUBSCRIBE has at least one
    /// (MQTT-3.8.3-2); §2.4: "The SUBACK and UNSUBACK packets contain a list of one or more
    /// Reason Codes".
    private static func validateNotEmpty(_ reasonCodes: [MQTTReasonCode]) throws(MQTTCodecError) {
        if reasonCodes.isEmpty {
            throw .protocolError("SUBACK without reason codes (MQTT-3.8.4-6, MQTT 5.0 §2.4)")
        }
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        try validateSubscriptionPacketID(self.packetID, .suback)
        try Self.validateNotEmpty(self.reasonCodes)
        if version.hasProperties {
            try self.properties.validate(in: .suback)
        } else {
            for code in self.reasonCodes where !code.isFailure && code.rawValue > 2 {
                throw .protocolError("SUBACK code \(code) has no MQTT \(version) return code (MQTT 3.1.1 §3.9.3)")
            }
        }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        2 + (version.hasProperties ? self.properties.encodedLengthWithPrefix : 0) + self.reasonCodes.count
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeInteger(self.packetID, endianness: .big)
        if version.hasProperties {
            buffer.writeMQTTProperties(self.properties)
            for code in self.reasonCodes { buffer.writeInteger(code.rawValue) }
        } else {
            // 3.1.1 has one failure code, 0x80 (MQTT 3.1.1 §3.9.3): every 5.0 failure becomes it.
            for code in self.reasonCodes {
                buffer.writeInteger(code.isFailure ? MQTTReasonCode.unspecifiedError.rawValue : code.rawValue)
            }
        }
    }
}
