import NIOCore

// PUBLISH (MQTT 5.0 §3.3, MQTT 3.1.1 §3.3): the hot path of the broker. The payload is a slice
// of the input, and a packet without properties allocates nothing beyond its topic string.

extension PublishPacket {
    static func decode(
        from body: inout ByteBuffer,
        flags: UInt8,
        version: MQTTProtocolVersion,
        role: MQTTPacketDecoder.Role
    ) throws(MQTTCodecError) -> Self {
        // MQTTFixedHeader has rejected QoS 3 and DUP at QoS 0.
        let qos = QoS(rawValue: (flags >> 1) & 0x03) ?? .exactlyOnce
        let dup = flags & 0x08 != 0
        let retain = flags & 0x01 != 0
        let topic = try body.readMQTTString("Topic Name")
        var packetID: UInt16?
        if qos != .atMostOnce {
            let id = try body.readMQTTTwoByteInteger("Packet Identifier")
            try Self.validatePacketID(id)
            packetID = id
        }
        let properties = try version.hasProperties ? MQTTProperties.read(from: &body, in: .publish) : MQTTProperties()
        try Self.validateTopic(topic, properties: properties, version: version)
        // MQTT-3.3.4-6: "A PUBLISH packet sent from a Client to a Server MUST NOT contain a
        // Subscription Identifier."
        if role == .server && !properties.isEmpty && properties.contains(.subscriptionIdentifier) {
            throw .protocolError("PUBLISH from a client carries a Subscription Identifier (MQTT-3.3.4-6)")
        }
        // §3.3.3: the rest of the packet is the payload; a zero length payload is valid.
        let payload = body.readSlice(length: body.readableBytes) ?? ByteBuffer()
        return Self(
            topic: topic,
            payload: payload,
            qos: qos,
            retain: retain,
            dup: dup,
            packetID: packetID,
            properties: properties
        )
    }

    /// 5.0 MQTT-2.2.1-3, 3.1.1 MQTT-2.3.1-1: a PUBLISH with QoS > 0 carries a non-zero Packet
    /// Identifier. An identifier of 0 parses, but the protocol does not allow it: Protocol Error.
    private static func validatePacketID(_ id: UInt16) throws(MQTTCodecError) {
        if id == 0 {
            throw .protocolError("PUBLISH with Packet Identifier 0 (MQTT-2.2.1-3)")
        }
    }

    private static func validateTopic(
        _ topic: String,
        properties: MQTTProperties,
        version: MQTTProtocolVersion
    ) throws(MQTTCodecError) {
        if topic.isEmpty {
            // 5.0 §3.3.2.1: "It is a Protocol Error if the Topic Name is zero length and there is
            // no Topic Alias." 3.1.1 has no aliases: "All Topic Names and Topic Filters MUST be at
            // least one character long" (MQTT-4.7.3-1).
            guard version.hasProperties && properties.contains(.topicAlias) else {
                throw .protocolError(
                    "PUBLISH with an empty Topic Name and no Topic Alias (MQTT 5.0 §3.3.2.1, MQTT-4.7.3-1)"
                )
            }
        } else if mqttTopicHasWildcard(topic) {
            // MQTT-3.3.2-2: "The Topic Name in the PUBLISH packet MUST NOT contain wildcard
            // characters."
            throw MQTTCodecError(
                reasonCode: .topicNameInvalid,
                detail: "Topic Name \"\(topic)\" contains a wildcard (MQTT-3.3.2-2)"
            )
        }
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        if self.qos == .atMostOnce {
            // MQTT-2.2.1-2: "A PUBLISH packet MUST NOT contain a Packet Identifier if its QoS
            // value is set to 0."
            if self.packetID != nil {
                throw .protocolError("QoS 0 PUBLISH with a Packet Identifier (MQTT-2.2.1-2)")
            }
            if self.dup {
                throw .malformed("QoS 0 PUBLISH with DUP set (MQTT-3.3.1-2)")
            }
        } else {
            guard let packetID = self.packetID else {
                throw .protocolError("\(self.qos) PUBLISH without a Packet Identifier (MQTT-2.2.1-3)")
            }
            try Self.validatePacketID(packetID)
        }
        try validateMQTTString(self.topic, "Topic Name")
        // Properties do not exist before 5.0 and are left out: a broker forwarding a 5.0 message
        // to a 3.1.1 subscriber loses them (MQTT 5.0 §3.3.4, non-normative comment).
        if version.hasProperties { try self.properties.validate(in: .publish) }
        try Self.validateTopic(self.topic, properties: self.properties, version: version)
    }

    /// The Remaining Length: variable header and payload.
    func remainingLength(version: MQTTProtocolVersion) -> Int {
        self.variableHeaderLength(version: version) + self.payload.readableBytes
    }

    func variableHeaderLength(version: MQTTProtocolVersion) -> Int {
        var length = mqttStringLength(self.topic)
        if self.qos != .atMostOnce { length += 2 }
        if version.hasProperties { length += self.properties.encodedLengthWithPrefix }
        return length
    }

    /// DUP, QoS and RETAIN in bits 3, 2-1 and 0 of the fixed header (§3.3.1).
    var fixedHeaderFlags: UInt8 {
        (self.dup ? 0x08 : 0) | self.qos.rawValue << 1 | (self.retain ? 0x01 : 0)
    }

    func writeVariableHeader(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeMQTTString(self.topic)
        if self.qos != .atMostOnce, let packetID = self.packetID {
            buffer.writeInteger(packetID, endianness: .big)
        }
        if version.hasProperties { buffer.writeMQTTProperties(self.properties) }
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        self.writeVariableHeader(to: &buffer, version: version)
        buffer.writeImmutableBuffer(self.payload)
    }
}
