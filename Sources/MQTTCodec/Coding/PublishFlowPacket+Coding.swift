import NIOCore

// PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 5.0 §3.4–§3.7, MQTT 3.1.1 §3.4–§3.7). In 5.0 the packet
// has three forms (§3.4.2.1, §3.4.2.2.1): Remaining Length 2 (Success, no properties), 3 (a reason
// code, no properties) and 4 or more (reason code and properties).

extension PublishFlowPacket {
    static func decode(
        from body: inout ByteBuffer,
        type: MQTTPacketType,
        version: MQTTProtocolVersion
    ) throws(MQTTCodecError) -> Self {
        let packetID = try body.readMQTTTwoByteInteger("Packet Identifier")
        try Self.validatePacketID(packetID, type)
        guard version.hasProperties, body.readableBytes > 0 else {
            // 3.1.1 ends here; extra bytes are caught as left over by the decoder.
            return Self(packetID: packetID)
        }
        let reasonCode = MQTTReasonCode(rawValue: try body.readMQTTByte("Reason Code"))
        var properties = MQTTProperties()
        if body.readableBytes > 0 {
            properties = try MQTTProperties.read(from: &body, in: Self.propertyContext(type))
        }
        return Self(packetID: packetID, reasonCode: reasonCode, properties: properties)
    }

    /// MQTT-2.2.1-5: these packets repeat the Packet Identifier of the PUBLISH (or PUBREC), which
    /// is never 0 (MQTT-2.2.1-3).
    private static func validatePacketID(_ id: UInt16, _ type: MQTTPacketType) throws(MQTTCodecError) {
        if id == 0 {
            throw .protocolError("\(type) with Packet Identifier 0 (MQTT-2.2.1-3, MQTT-2.2.1-5)")
        }
    }

    static func propertyContext(_ type: MQTTPacketType) -> MQTTPropertyContext {
        switch type {
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .connect, .connack, .publish, .subscribe, .suback, .unsubscribe, .unsuback, .pingreq, .pingresp,
            .disconnect, .auth:
            preconditionFailure("\(type) is not a PUBLISH flow packet")
        }
    }

    // MARK: Encoding

    func validate(type: MQTTPacketType, version: MQTTProtocolVersion) throws(MQTTCodecError) {
        try Self.validatePacketID(self.packetID, type)
        if version.hasProperties {
            try self.properties.validate(in: Self.propertyContext(type))
        } else if self.reasonCode != .success {
            // 3.1.1 cannot say that the PUBLISH failed; sending the bare packet would claim success.
            throw .protocolError(
                "\(type) with \(self.reasonCode) cannot be sent in MQTT \(version), which has no reason codes"
            )
        }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        guard version.hasProperties else { return 2 }
        if self.properties.isEmpty {
            // §3.4.2.1: "The Reason Code and Property Length can be omitted if the Reason Code is
            // 0x00 (Success) and there are no Properties." Without properties the Property Length
            // can go on its own (§3.4.2.2.1: "If the Remaining Length is less than 4 there is no
            // Property Length").
            return self.reasonCode == .success ? 2 : 3
        }
        return 3 + self.properties.encodedLengthWithPrefix
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeInteger(self.packetID, endianness: .big)
        guard version.hasProperties else { return }
        if self.properties.isEmpty {
            if self.reasonCode != .success { buffer.writeInteger(self.reasonCode.rawValue) }
            return
        }
        buffer.writeInteger(self.reasonCode.rawValue)
        buffer.writeMQTTProperties(self.properties)
    }
}
