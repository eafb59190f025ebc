import NIOCore

// CONNECT (MQTT 5.0 §3.1, MQTT 3.1.1 §3.1). Rule numbers differ between the versions; both are
// given where they do.

extension ConnectPacket {
    // MARK: Decoding

    static func decode(from body: inout ByteBuffer) throws(MQTTCodecError) -> Self {
        let version = try Self.readProtocolVersion(from: &body)
        do throws(MQTTCodecError) {
            return try Self.decode(from: &body, version: version)
        } catch {
            // Tell the server which version to answer in (a 5.0 CONNACK with the reason code).
            var error = error
            error.protocolVersion = version
            throw error
        }
    }

    /// Reads the Protocol Name and Protocol Version (MQTT 5.0 §3.1.2.1, §3.1.2.2).
    private static func readProtocolVersion(from body: inout ByteBuffer) throws(MQTTCodecError) -> MQTTProtocolVersion {
        guard let nameLength = body.readInteger(endianness: .big, as: UInt16.self),
            let name = body.readSlice(length: Int(nameLength))
        else {
            throw .malformed("CONNECT ends inside the Protocol Name")
        }
        let level = try body.readMQTTByte("Protocol Version")
        // Compared as bytes: whatever a peer sends here, it is not worth a String.
        if let version = MQTTProtocolVersion(rawValue: level),
            name.readableBytesView.elementsEqual(version.protocolName.utf8)
        {
            return version
        }
        // MQTT-3.1.2-1 (name) and MQTT-3.1.2-2 (version): the server MAY answer 0x84 (5.0) or
        // return code 1 (3.1.1) and closes. Both cases carry 0x84 so the broker can do that.
        let shownName = String(decoding: name.readableBytesView.prefix(32), as: UTF8.self)
        throw MQTTCodecError(
            reasonCode: .unsupportedProtocolVersion,
            detail:
                "protocol name \"\(shownName)\" level \(level) is not MQTT 3.1, 3.1.1 or 5.0 (MQTT-3.1.2-1, MQTT-3.1.2-2)",
            packetType: .connect
        )
    }

    private static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTCodecError) -> Self
    {
        let flags = try body.readMQTTByte("Connect Flags")
        // MQTT-3.1.2-3: "If the reserved flag is not 0 it is a Malformed Packet."
        if flags & 0x01 != 0 {
            throw .malformed("CONNECT reserved flag (bit 0) is set (MQTT-3.1.2-3)")
        }
        let cleanStart = flags & 0x02 != 0
        let hasWill = flags & 0x04 != 0
        let willQoSBits = (flags >> 3) & 0x03
        let willRetain = flags & 0x20 != 0
        let hasPassword = flags & 0x40 != 0
        let hasUsername = flags & 0x80 != 0
        if !hasWill && willQoSBits != 0 {
            // 5.0 MQTT-3.1.2-11, 3.1.1 MQTT-3.1.2-13: "If the Will Flag is set to 0, then the
            // Will QoS MUST be set to 0".
            throw .malformed("Will QoS \(willQoSBits) without the Will Flag (MQTT-3.1.2-11; 3.1.1: MQTT-3.1.2-13)")
        }
        if !hasWill && willRetain {
            // 5.0 MQTT-3.1.2-13, 3.1.1 MQTT-3.1.2-15.
            throw .malformed("Will Retain without the Will Flag (MQTT-3.1.2-13; 3.1.1: MQTT-3.1.2-15)")
        }
        // 5.0 MQTT-3.1.2-12: "A value of 3 (0x03) is a Malformed Packet." 3.1.1 MQTT-3.1.2-14.
        guard let willQoS = QoS(rawValue: willQoSBits) else {
            throw .malformed("Will QoS 3 (MQTT-3.1.2-12; 3.1.1: MQTT-3.1.2-14)")
        }
        // 3.1.1 MQTT-3.1.2-22: "If the User Name Flag is set to 0, the Password Flag MUST be set
        // to 0." 5.0 allows a password alone (§3.1.2.9, non-normative comment).
        if version < .v5 && hasPassword && !hasUsername {
            throw .malformed("Password Flag without User Name Flag in MQTT \(version) (MQTT 3.1.1 MQTT-3.1.2-22)")
        }
        let keepAlive = try body.readMQTTTwoByteInteger("Keep Alive")
        let properties = try version.hasProperties ? MQTTProperties.read(from: &body, in: .connect) : MQTTProperties()

        // MQTT-3.1.3-1: "These fields, if present, MUST appear in the order Client Identifier,
        // Will Properties, Will Topic, Will Payload, User Name, Password." Which client
        // identifiers to accept (empty ones, MQTT 3.1's 23-character limit) is server policy.
        let clientID = try body.readMQTTString("Client Identifier")
        var will: Will?
        if hasWill {
            let willProperties =
                try version.hasProperties ? MQTTProperties.read(from: &body, in: .will) : MQTTProperties()
            let topic = try body.readMQTTString("Will Topic")
            try Will.validateTopic(topic)
            let payload = try body.readMQTTBinaryData("Will Payload")
            will = Will(topic: topic, payload: payload, qos: willQoS, retain: willRetain, properties: willProperties)
        }
        let username = try hasUsername ? body.readMQTTString("User Name") : nil
        let password = try hasPassword ? body.readMQTTBinaryData("Password") : nil
        return Self(
            protocolVersion: version,
            clientID: clientID,
            cleanStart: cleanStart,
            keepAlive: keepAlive,
            username: username,
            password: password,
            will: will,
            properties: properties
        )
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        // The CONNECT says which version it speaks; writing it in another would lie about it.
        guard version == self.protocolVersion else {
            throw .protocolError("a CONNECT for MQTT \(self.protocolVersion) cannot be written as MQTT \(version)")
        }
        try validateMQTTString(self.clientID, "Client Identifier")
        if let will = self.will {
            try validateMQTTString(will.topic, "Will Topic")
            try Will.validateTopic(will.topic)
            try validateMQTTBinaryData(will.payload, "Will Payload")
            if version.hasProperties { try will.properties.validate(in: .will) }
        }
        if let username = self.username { try validateMQTTString(username, "User Name") }
        if let password = self.password { try validateMQTTBinaryData(password, "Password") }
        if version < .v5 && self.password != nil && self.username == nil {
            throw .malformed(
                "a password without a user name cannot be sent in MQTT \(version) (MQTT 3.1.1 MQTT-3.1.2-22)"
            )
        }
        if version.hasProperties { try self.properties.validate(in: .connect) }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        // Protocol Name, Protocol Version, Connect Flags, Keep Alive.
        var length = mqttStringLength(version.protocolName) + 1 + 1 + 2
        if version.hasProperties { length += self.properties.encodedLengthWithPrefix }
        length += mqttStringLength(self.clientID)
        if let will = self.will {
            if version.hasProperties { length += will.properties.encodedLengthWithPrefix }
            length += mqttStringLength(will.topic) + 2 + will.payload.readableBytes
        }
        if let username = self.username { length += mqttStringLength(username) }
        if let password = self.password { length += 2 + password.readableBytes }
        return length
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeMQTTString(version.protocolName)
        buffer.writeInteger(version.rawValue)
        var flags: UInt8 = 0
        if self.cleanStart { flags |= 0x02 }
        if let will = self.will {
            flags |= 0x04 | will.qos.rawValue << 3
            if will.retain { flags |= 0x20 }
        }
        if self.password != nil { flags |= 0x40 }
        if self.username != nil { flags |= 0x80 }
        buffer.writeInteger(flags)
        buffer.writeInteger(self.keepAlive, endianness: .big)
        if version.hasProperties { buffer.writeMQTTProperties(self.properties) }
        buffer.writeMQTTString(self.clientID)
        if let will = self.will {
            if version.hasProperties { buffer.writeMQTTProperties(will.properties) }
            buffer.writeMQTTString(will.topic)
            buffer.writeMQTTBinaryData(will.payload)
        }
        if let username = self.username { buffer.writeMQTTString(username) }
        if let password = self.password { buffer.writeMQTTBinaryData(password) }
    }
}

extension ConnectPacket.Will {
    /// The Will Topic is a Topic Name (§3.1.3.3): at least one character (MQTT-4.7.3-1) and no
    /// wildcards (MQTT-4.7.0-1). A CONNACK answers a Will Topic the server does not accept with
    /// 0x90 Topic Name invalid (§3.2.2.2).
    static func validateTopic(_ topic: String) throws(MQTTCodecError) {
        if topic.isEmpty || mqttTopicHasWildcard(topic) {
            throw MQTTCodecError(
                reasonCode: .topicNameInvalid,
                detail: "Will Topic \"\(topic)\" is not a valid Topic Name (MQTT-4.7.0-1, MQTT-4.7.3-1)"
            )
        }
    }
}
