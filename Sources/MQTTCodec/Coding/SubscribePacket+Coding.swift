import NIOCore

// SUBSCRIBE (MQTT 5.0 §3.8, MQTT 3.1.1 §3.8). Topic Filter syntax is left to BrokerCore: in 5.0 a
// bad filter is answered per filter in SUBACK (0x8F Topic Filter invalid).

extension SubscribePacket {
    static func decode(from body: inout ByteBuffer, version: MQTTProtocolVersion) throws(MQTTCodecError) -> Self {
        let packetID = try body.readMQTTTwoByteInteger("Packet Identifier")
        try validateSubscriptionPacketID(packetID, .subscribe)
        let properties = try version.hasProperties ? MQTTProperties.read(from: &body, in: .subscribe) : MQTTProperties()
        var subscriptions: [TopicSubscription] = []
        while body.readableBytes > 0 {
            let topicFilter = try body.readMQTTString("Topic Filter")
            let optionsByte = try body.readMQTTByte("Subscription Options")
            let options = try SubscriptionOptions(decoding: optionsByte, version: version, topicFilter: topicFilter)
            subscriptions.append(TopicSubscription(topicFilter: topicFilter, options: options))
        }
        try Self.validateNotEmpty(subscriptions)
        return Self(packetID: packetID, subscriptions: subscriptions, properties: properties)
    }

    /// 5.0 MQTT-3.8.3-2, 3.1.1 MQTT-3.8.3-3: "The Payload MUST contain at least one Topic Filter
    /// and Subscription Options pair. [...] A SUBSCRIBE packet with no Payload is a Protocol Error."
    private static func validateNotEmpty(_ subscriptions: [TopicSubscription]) throws(MQTTCodecError) {
        if subscriptions.isEmpty {
            throw .protocolError("SUBSCRIBE without a Topic Filter (MQTT-3.8.3-2; 3.1.1: MQTT-3.8.3-3)")
        }
    }

    // MARK: Encoding

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        try validateSubscriptionPacketID(self.packetID, .subscribe)
        try Self.validateNotEmpty(self.subscriptions)
        for subscription in self.subscriptions {
            try validateMQTTString(subscription.topicFilter, "Topic Filter")
            try subscription.options.validate(version: version, topicFilter: subscription.topicFilter)
        }
        if version.hasProperties { try self.properties.validate(in: .subscribe) }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        var length = 2
        if version.hasProperties { length += self.properties.encodedLengthWithPrefix }
        for subscription in self.subscriptions {
            length += mqttStringLength(subscription.topicFilter) + 1
        }
        return length
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        buffer.writeInteger(self.packetID, endianness: .big)
        if version.hasProperties { buffer.writeMQTTProperties(self.properties) }
        for subscription in self.subscriptions {
            buffer.writeMQTTString(subscription.topicFilter)
            buffer.writeInteger(subscription.options.encoded)
        }
    }
}

/// 5.0 MQTT-2.2.1-3, 3.1.1 MQTT-2.3.1-1: SUBSCRIBE and UNSUBSCRIBE carry a non-zero Packet
/// Identifier, which SUBACK and UNSUBACK repeat (MQTT-2.2.1-6).
func validateSubscriptionPacketID(_ id: UInt16, _ type: MQTTPacketType) throws(MQTTCodecError) {
    if id == 0 {
        throw .protocolError("\(type) with Packet Identifier 0 (MQTT-2.2.1-3, MQTT-2.2.1-6)")
    }
}

extension SubscriptionOptions {
    /// Decodes the Subscription Options byte (MQTT 5.0 §3.8.3.1); in 3.1/3.1.1 the byte holds
    /// only the Requested QoS.
    init(decoding byte: UInt8, version: MQTTProtocolVersion, topicFilter: String) throws(MQTTCodecError) {
        guard version.hasProperties else {
            // 3.1.1 MQTT-3.8.3-4: "The Server MUST treat a SUBSCRIBE packet as malformed [...] if
            // any of Reserved bits in the payload are non-zero, or QoS is not 0,1 or 2".
            guard byte & 0xFC == 0, let qos = QoS(rawValue: byte) else {
                throw .malformed("Requested QoS byte 0x\(String(byte, radix: 16)) (MQTT 3.1.1 MQTT-3.8.3-4)")
            }
            self.init(qos: qos)
            return
        }
        // MQTT-3.8.3-5: "The Server MUST treat a SUBSCRIBE packet as malformed if any of Reserved
        // bits in the Payload are non-zero" (bits 6 and 7).
        guard byte & 0xC0 == 0 else {
            throw .malformed("Subscription Options reserved bits set in 0x\(String(byte, radix: 16)) (MQTT-3.8.3-5)")
        }
        // §3.8.3.1: "It is a Protocol Error if the Maximum QoS field has the value 3."
        guard let qos = QoS(rawValue: byte & 0x03) else {
            throw .protocolError("Subscription Options with Maximum QoS 3 (MQTT 5.0 §3.8.3.1)")
        }
        // §3.8.3.1: "It is a Protocol Error to send a Retain Handling value of 3."
        guard let retainHandling = RetainHandling(rawValue: (byte >> 4) & 0x03) else {
            throw .protocolError("Subscription Options with Retain Handling 3 (MQTT 5.0 §3.8.3.1)")
        }
        self.init(
            qos: qos,
            noLocal: byte & 0x04 != 0,
            retainAsPublished: byte & 0x08 != 0,
            retainHandling: retainHandling
        )
        try self.validateNoLocal(topicFilter: topicFilter)
    }

    /// MQTT-3.8.3-4: "It is a Protocol Error to set the No Local bit to 1 on a Shared
    /// Subscription" (a filter starting with `$share/`, §4.8.2).
    private func validateNoLocal(topicFilter: String) throws(MQTTCodecError) {
        if self.noLocal && topicFilter.utf8.starts(with: "$share/".utf8) {
            throw .protocolError("No Local on the Shared Subscription \"\(topicFilter)\" (MQTT-3.8.3-4)")
        }
    }

    func validate(version: MQTTProtocolVersion, topicFilter: String) throws(MQTTCodecError) {
        if version.hasProperties {
            try self.validateNoLocal(topicFilter: topicFilter)
        } else if self.noLocal || self.retainAsPublished || self.retainHandling != .sendOnSubscribe {
            throw .protocolError(
                "No Local, Retain As Published and Retain Handling do not exist in MQTT \(version) (3.1.1 §3.8.3.1)"
            )
        }
    }

    /// The options byte: Maximum QoS in bits 0-1, No Local bit 2, Retain As Published bit 3,
    /// Retain Handling bits 4-5 (§3.8.3.1). In 3.1.1 the other bits are 0 by `validate`.
    var encoded: UInt8 {
        self.qos.rawValue | (self.noLocal ? 0x04 : 0) | (self.retainAsPublished ? 0x08 : 0)
            | self.retainHandling.rawValue << 4
    }
}
