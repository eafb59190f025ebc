import NIOCore

// UNSUBACK (MQTT 5.0 §3.11, MQTT 3.1.1 §3.11). 3.1/3.1.1 have no payload: only the identifier.

extension UnsubAckPacket {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTCodecError) -> Self {
        let packetID = try body.readMQTTTwoByteInteger("Packet Identifier")
        try validateSubscriptionPacketID(packetID, .unsuback)
        guard version.hasProperties else {
            return Self(packetID: packetID)
        }
        let properties = try MQTTProperties.read(from: &body, in: .unsuback)
        var reasonCodes: [MQTTReasonCode] = []
        reasonCodes.reserveCapacity(body.readableBytes)
        while let byte = body.readInteger(as: UInt8.self) {
            reasonCodes.append(MQTTReasonCode(rawValue: byte))
        }
        try Self.validateNotEmpty(reasonCodes)
        return Self(packetID: packetID, reasonCodes: reasonCodes, properties: properties)
    }

    /// MQTT-3.11.3-1: one code per Topic Filter of the UNSUBSCRIBE, which has at least one;
    /// §2.4: "a list of one or more Reason Codes".
    private static func validateNotEmpty(_ reasonCodes: [MQTTReasonCode]) throws(MQTTCodecError) {
        if reasonCodes.isEmpty {
            throw .protocolError("UNSUBACK without reason codes (MQTT-3.11.3-1, MQTT 5.0 §2.4)")
        }
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        try validateSubscriptionPacketID(self.packetID, .unsuback)
        if version.hasProperties {
            try Self.validateNotEmpty(self.reasonCodes)
            try self.properties.validate(in: .unsuback)
        }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        guard version.hasProperties else { return 2 }
        return 2 + self.properties.encodedLengthWithPrefix + self.reasonCodes.count
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeInteger(self.packetID, endianness: .big)
        guard version.hasProperties else { return }
        buffer.writeMQTTProperties(self.properties)
        for code in self.reasonCodes { buffer.writeInteger(code.rawValue) }
    }
}
