import NIOCore

// UNSUBSCRIBE (MQTT 5.0 §3.10, MQTT 3.1.1 §3.10).

extension UnsubscribePacket {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTCodecError) -> Self {
        let packetID = try body.readMQTTTwoByteInteger("Packet Identifier")
        try validateSubscriptionPacketID(packetID, .unsubscribe)
        let properties =
            try version.hasProperties ? MQTTProperties.read(from: &body, in: .unsubscribe) : MQTTProperties()
        var topicFilters: [String] = []
        while body.readableBytes > 0 {
            topicFilters.append(try body.readMQTTString("Topic Filter"))
        }
        try Self.validateNotEmpty(topicFilters)
        return Self(packetID: packetID, topicFilters: topicFilters, properties: properties)
    }

    /// 5.0 MQTT-3.10.3-2, 3.1.1 MQTT-3.10.3-2: "The Payload of an UNSUBSCRIBE packet MUST contain
    /// at least one Topic Filter. An UNSUBSCRIBE packet with no Payload is a Protocol Error."
    private static func validateNotEmpty(_ topicFilters: [String]) throws(MQTTCodecError) {
        if topicFilters.isEmpty {
            throw .protocolError("UNSUBSCRIBE without a Topic Filter (MQTT-3.10.3-2)")
        }
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        try validateSubscriptionPacketID(self.packetID, .unsubscribe)
        try Self.validateNotEmpty(self.topicFilters)
        for topicFilter in self.topicFilters {
            try validateMQTTString(topicFilter, "Topic Filter")
        }
        if version.hasProperties { try self.properties.validate(in: .unsubscribe) }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        var length = 2
        if version.hasProperties { length += self.properties.encodedLengthWithPrefix }
        for topicFilter in self.topicFilters { length += mqttStringLength(topicFilter) }
        return length
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeInteger(self.packetID, endianness: .big)
        if version.hasProperties { buffer.writeMQTTProperties(self.properties) }
        for topicFilter in self.topicFilters { buffer.writeMQTTString(topicFilter) }
    }
}
