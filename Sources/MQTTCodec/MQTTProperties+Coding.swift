import NIOCore

// Reading, checking, sizing and writing MQTT 5.0 property lists (§2.2.2). The decoder and the
// encoder run the same checks (`validate(in:)`), so whatever the encoder writes the decoder accepts.

extension MQTTProperties {
    /// Reads a Property Length and the properties it covers, then checks them for `context`.
    static func read(from buffer: inout ByteBuffer, in context: MQTTPropertyContext) throws(MQTTCodecError) -> Self {
        let length = try buffer.readMQTTVariableByteInteger("Property Length")
        // MQTT-2.2.2-1: no properties is a Property Length of zero. This is the common case and
        // allocates nothing.
        if length == 0 { return Self() }
        guard var bytes = buffer.readSlice(length: length) else {
            throw .malformed("Property Length \(length) exceeds the \(buffer.readableBytes) bytes left in the packet")
        }
        var elements: [MQTTProperty] = []
        while bytes.readableBytes > 0 {
            // > The Identifier is encoded as a Variable Byte Integer. (§2.2.2.2)
            let rawIdentifier = try bytes.readMQTTVariableByteInteger("Property Identifier")
            guard let byte = UInt8(exactly: rawIdentifier), let identifier = MQTTPropertyIdentifier(rawValue: byte)
            else {
                throw .malformed(
                    "unknown property identifier 0x\(String(rawIdentifier, radix: 16)) in \(context) (MQTT 5.0 §2.2.2.2)"
                )
            }
            // Checked here too, before reading the value, so the error names the real problem.
            guard context.allows(identifier) else {
                throw .malformed("\(identifier) is not valid in \(context) (MQTT 5.0 §2.2.2.2)")
            }
            elements.append(try bytes.readMQTTPropertyValue(identifier))
        }
        let properties = Self(elements)
        try properties.validate(in: context)
        return properties
    }

    /// Checks the list against the rules of `context`: the allow-list (0x81, §2.2.2.2), properties
    /// that may appear only once (0x82) and the values each property allows.
    func validate(in context: MQTTPropertyContext) throws(MQTTCodecError) {
        // Every identifier is below 64, so one bit per identifier records what was seen.
        var seen: UInt64 = 0
        for property in self.elements {
            let identifier = property.identifier
            guard context.allows(identifier) else {
                throw .malformed("\(identifier) is not valid in \(context) (MQTT 5.0 §2.2.2.2)", context.packetType)
            }
            let bit: UInt64 = 1 << identifier.rawValue
            if seen & bit != 0 && !context.allowsRepeats(of: identifier) {
                throw .protocolError("\(context) include \(identifier) more than once", context.packetType)
            }
            seen |= bit
            do throws(MQTTCodecError) {
                try property.validateValue()
            } catch {
                throw error.inPacket(context.packetType)
            }
        }
        // §3.1.2.11.10: "It is a Protocol Error to include Authentication Data if there is no
        // Authentication Method."
        if context == .connect {
            let hasData = seen & (1 << MQTTPropertyIdentifier.authenticationData.rawValue) != 0
            let hasMethod = seen & (1 << MQTTPropertyIdentifier.authenticationMethod.rawValue) != 0
            if hasData && !hasMethod {
                throw .protocolError(
                    "Authentication Data without Authentication Method (MQTT 5.0 §3.1.2.11.10)",
                    .connect
                )
            }
        }
    }

    /// Whether the list holds a property with this identifier.
    func contains(_ identifier: MQTTPropertyIdentifier) -> Bool {
        self.elements.contains { $0.identifier == identifier }
    }

    /// The size of the properties without the Property Length in front.
    var encodedLength: Int {
        var total = 0
        for property in self.elements { total += property.encodedLength }
        return total
    }

    /// The size of the Property Length and the properties.
    var encodedLengthWithPrefix: Int {
        let length = self.encodedLength
        return ByteBuffer.mqttVariableByteIntegerLength(length) + length
    }
}

extension MQTTProperty {
    /// Checks the value against the rules of the property's own section.
    func validateValue() throws(MQTTCodecError) {
        switch self {
        case .payloadFormatIndicator(let value):
            // §3.3.2.3.2 and §3.1.3.2.3 allow 0 (unspecified bytes) and 1 (UTF-8). The spec names
            // no code for other values; a Byte with a value the protocol does not allow is a
            // Protocol Error (§1.2), not a Malformed Packet (the data type is right).
            try Self.requireZeroOrOne(value, "Payload Format Indicator", "§3.3.2.3.2")
        case .requestProblemInformation(let value):
            try Self.requireZeroOrOne(value, "Request Problem Information", "§3.1.2.11.7")
        case .requestResponseInformation(let value):
            try Self.requireZeroOrOne(value, "Request Response Information", "§3.1.2.11.6")
        case .maximumQoS(let value):
            try Self.requireZeroOrOne(value, "Maximum QoS", "§3.2.2.3.4")
        case .retainAvailable(let value):
            try Self.requireZeroOrOne(value, "Retain Available", "§3.2.2.3.5")
        case .wildcardSubscriptionAvailable(let value):
            try Self.requireZeroOrOne(value, "Wildcard Subscription Available", "§3.2.2.3.11")
        case .subscriptionIdentifierAvailable(let value):
            try Self.requireZeroOrOne(value, "Subscription Identifier Available", "§3.2.2.3.12")
        case .sharedSubscriptionAvailable(let value):
            try Self.requireZeroOrOne(value, "Shared Subscription Available", "§3.2.2.3.13")
        case .messageExpiryInterval, .sessionExpiryInterval, .serverKeepAlive, .willDelayInterval, .topicAliasMaximum:
            break
        case .receiveMaximum(let value):
            if value == 0 {
                throw .protocolError("Receive Maximum is 0 (MQTT 5.0 §3.1.2.11.3, §3.2.2.3.3)")
            }
        case .maximumPacketSize(let value):
            if value == 0 {
                throw .protocolError("Maximum Packet Size is 0 (MQTT 5.0 §3.1.2.11.4, §3.2.2.3.6)")
            }
        case .topicAlias(let value):
            // §3.3.4: "A Topic Alias value of 0 [...] is a Protocol Error, the receiver uses
            // DISCONNECT with Reason Code of 0x94 (Topic Alias invalid)". MQTT-3.3.2-8.
            if value == 0 {
                throw MQTTCodecError(reasonCode: .topicAliasInvalid, detail: "Topic Alias is 0 (MQTT-3.3.2-8)")
            }
        case .subscriptionIdentifier(let value):
            // §3.3.2.3.8, §3.8.2.1.2: "It is a Protocol Error if the Subscription Identifier has a
            // value of 0." Values above 268,435,455 cannot be encoded at all.
            guard MQTTLimits.subscriptionIdentifierRange.contains(value) else {
                throw .protocolError(
                    "Subscription Identifier \(value) is outside 1...268,435,455 (MQTT 5.0 §3.8.2.1.2)"
                )
            }
        case .responseTopic(let topic):
            try validateMQTTString(topic, "Response Topic")
            // MQTT-3.3.2-14: "The Response Topic MUST NOT contain wildcard characters"; it is a
            // Topic Name, which is at least one character long (MQTT-4.7.3-1).
            if topic.isEmpty || mqttTopicHasWildcard(topic) {
                throw .protocolError(
                    "Response Topic \"\(topic)\" is not a valid Topic Name (MQTT-3.3.2-14, MQTT-4.7.3-1)"
                )
            }
        case .contentType(let string):
            try validateMQTTString(string, "Content Type")
        case .assignedClientIdentifier(let string):
            try validateMQTTString(string, "Assigned Client Identifier")
        case .authenticationMethod(let string):
            try validateMQTTString(string, "Authentication Method")
        case .responseInformation(let string):
            try validateMQTTString(string, "Response Information")
        case .serverReference(let string):
            try validateMQTTString(string, "Server Reference")
        case .reasonString(let string):
            try validateMQTTString(string, "Reason String")
        case .userProperty(let name, let value):
            try validateMQTTString(name, "User Property name")
            try validateMQTTString(value, "User Property value")
        case .correlationData(let data):
            try validateMQTTBinaryData(data, "Correlation Data")
        case .authenticationData(let data):
            try validateMQTTBinaryData(data, "Authentication Data")
        }
    }

    private static func requireZeroOrOne(
        _ value: UInt8,
        _ name: StaticString,
        _ section: StaticString
    ) throws(MQTTCodecError) {
        if value > 1 {
            throw .protocolError("\(name) is \(value); it must be 0 or 1 (MQTT 5.0 \(section))")
        }
    }

    /// The size of the identifier and the value.
    var encodedLength: Int {
        switch self {
        case .payloadFormatIndicator, .requestProblemInformation, .requestResponseInformation, .maximumQoS,
            .retainAvailable, .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable,
            .sharedSubscriptionAvailable:
            2
        case .serverKeepAlive, .receiveMaximum, .topicAliasMaximum, .topicAlias:
            3
        case .messageExpiryInterval, .sessionExpiryInterval, .willDelayInterval, .maximumPacketSize:
            5
        case .contentType(let string), .responseTopic(let string), .assignedClientIdentifier(let string),
            .authenticationMethod(let string), .responseInformation(let string), .serverReference(let string),
            .reasonString(let string):
            1 + mqttStringLength(string)
        case .correlationData(let data), .authenticationData(let data):
            3 + data.readableBytes
        case .subscriptionIdentifier(let value):
            1 + ByteBuffer.mqttVariableByteIntegerLength(Int(value))
        case .userProperty(let name, let value):
            1 + mqttStringLength(name) + mqttStringLength(value)
        }
    }
}

extension ByteBuffer {
    /// Reads the value of a property whose identifier was just read, by the data type Table 2-4
    /// gives it.
    mutating func readMQTTPropertyValue(_ identifier: MQTTPropertyIdentifier) throws(MQTTCodecError) -> MQTTProperty {
        switch identifier {
        case .payloadFormatIndicator: try .payloadFormatIndicator(self.readMQTTByte("Payload Format Indicator"))
        case .messageExpiryInterval: try .messageExpiryInterval(self.readMQTTFourByteInteger("Message Expiry Interval"))
        case .contentType: try .contentType(self.readMQTTString("Content Type"))
        case .responseTopic: try .responseTopic(self.readMQTTString("Response Topic"))
        case .correlationData: try .correlationData(self.readMQTTBinaryData("Correlation Data"))
        case .subscriptionIdentifier:
            try .subscriptionIdentifier(UInt32(self.readMQTTVariableByteInteger("Subscription Identifier")))
        case .sessionExpiryInterval: try .sessionExpiryInterval(self.readMQTTFourByteInteger("Session Expiry Interval"))
        case .assignedClientIdentifier:
            try .assignedClientIdentifier(self.readMQTTString("Assigned Client Identifier"))
        case .serverKeepAlive: try .serverKeepAlive(self.readMQTTTwoByteInteger("Server Keep Alive"))
        case .authenticationMethod: try .authenticationMethod(self.readMQTTString("Authentication Method"))
        case .authenticationData: try .authenticationData(self.readMQTTBinaryData("Authentication Data"))
        case .requestProblemInformation:
            try .requestProblemInformation(self.readMQTTByte("Request Problem Information"))
        case .willDelayInterval: try .willDelayInterval(self.readMQTTFourByteInteger("Will Delay Interval"))
        case .requestResponseInformation:
            try .requestResponseInformation(self.readMQTTByte("Request Response Information"))
        case .responseInformation: try .responseInformation(self.readMQTTString("Response Information"))
        case .serverReference: try .serverReference(self.readMQTTString("Server Reference"))
        case .reasonString: try .reasonString(self.readMQTTString("Reason String"))
        case .receiveMaximum: try .receiveMaximum(self.readMQTTTwoByteInteger("Receive Maximum"))
        case .topicAliasMaximum: try .topicAliasMaximum(self.readMQTTTwoByteInteger("Topic Alias Maximum"))
        case .topicAlias: try .topicAlias(self.readMQTTTwoByteInteger("Topic Alias"))
        case .maximumQoS: try .maximumQoS(self.readMQTTByte("Maximum QoS"))
        case .retainAvailable: try .retainAvailable(self.readMQTTByte("Retain Available"))
        case .userProperty:
            try self.readMQTTUserProperty()
        case .maximumPacketSize: try .maximumPacketSize(self.readMQTTFourByteInteger("Maximum Packet Size"))
        case .wildcardSubscriptionAvailable:
            try .wildcardSubscriptionAvailable(self.readMQTTByte("Wildcard Subscription Available"))
        case .subscriptionIdentifierAvailable:
            try .subscriptionIdentifierAvailable(self.readMQTTByte("Subscription Identifier Available"))
        case .sharedSubscriptionAvailable:
            try .sharedSubscriptionAvailable(self.readMQTTByte("Shared Subscription Available"))
        }
    }

    private mutating func readMQTTUserProperty() throws(MQTTCodecError) -> MQTTProperty {
        let (name, value) = try self.readMQTTStringPair("User Property")
        return .userProperty(name: name, value: value)
    }

    /// Writes the Property Length and the properties; the caller has validated them.
    @discardableResult
    mutating func writeMQTTProperties(_ properties: MQTTProperties) -> Int {
        var written = self.writeMQTTVariableByteInteger(properties.encodedLength)
        for property in properties.elements {
            written += self.writeMQTTProperty(property)
        }
        return written
    }

    @discardableResult
    mutating func writeMQTTProperty(_ property: MQTTProperty) -> Int {
        // Every identifier of this version is below 128, so its Variable Byte Integer is one byte.
        let written = self.writeInteger(property.identifier.rawValue)
        switch property {
        case .payloadFormatIndicator(let value), .requestProblemInformation(let value),
            .requestResponseInformation(let value), .maximumQoS(let value), .retainAvailable(let value),
            .wildcardSubscriptionAvailable(let value), .subscriptionIdentifierAvailable(let value),
            .sharedSubscriptionAvailable(let value):
            return written + self.writeInteger(value)
        case .serverKeepAlive(let value), .receiveMaximum(let value), .topicAliasMaximum(let value),
            .topicAlias(let value):
            return written + self.writeInteger(value, endianness: .big)
        case .messageExpiryInterval(let value), .sessionExpiryInterval(let value), .willDelayInterval(let value),
            .maximumPacketSize(let value):
            return written + self.writeInteger(value, endianness: .big)
        case .contentType(let string), .responseTopic(let string), .assignedClientIdentifier(let string),
            .authenticationMethod(let string), .responseInformation(let string), .serverReference(let string),
            .reasonString(let string):
            return written + self.writeMQTTString(string)
        case .correlationData(let data), .authenticationData(let data):
            return written + self.writeMQTTBinaryData(data)
        case .subscriptionIdentifier(let value):
            return written + self.writeMQTTVariableByteInteger(Int(value))
        case .userProperty(let name, let value):
            return written + self.writeMQTTString(name) + self.writeMQTTString(value)
        }
    }
}
