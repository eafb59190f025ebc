import MQTTCodec
import NIOCore
import Testing

/// Properties in every place they may and may not appear (MQTT 5.0 §2.2.2.2, Table 2-4). The
/// allow-list below is written from the specification, independently of the codec's own.
@Suite("Properties (MQTT 5.0 §2.2.2)")
struct PropertyTests {
    enum Place: CaseIterable, Hashable, Sendable {
        case connect, will, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback,
            disconnect, auth
    }

    /// MQTT 5.0 Table 2-4.
    static let table: [MQTTPropertyIdentifier: Set<Place>] = [
        .payloadFormatIndicator: [.publish, .will],
        .messageExpiryInterval: [.publish, .will],
        .contentType: [.publish, .will],
        .responseTopic: [.publish, .will],
        .correlationData: [.publish, .will],
        .subscriptionIdentifier: [.publish, .subscribe],
        .sessionExpiryInterval: [.connect, .connack, .disconnect],
        .assignedClientIdentifier: [.connack],
        .serverKeepAlive: [.connack],
        .authenticationMethod: [.connect, .connack, .auth],
        .authenticationData: [.connect, .connack, .auth],
        .requestProblemInformation: [.connect],
        .willDelayInterval: [.will],
        .requestResponseInformation: [.connect],
        .responseInformation: [.connack],
        .serverReference: [.connack, .disconnect],
        .reasonString: [.connack, .puback, .pubrec, .pubrel, .pubcomp, .suback, .unsuback, .disconnect, .auth],
        .receiveMaximum: [.connect, .connack],
        .topicAliasMaximum: [.connect, .connack],
        .topicAlias: [.publish],
        .maximumQoS: [.connack],
        .retainAvailable: [.connack],
        .userProperty: Set(Place.allCases),
        .maximumPacketSize: [.connect, .connack],
        .wildcardSubscriptionAvailable: [.connack],
        .subscriptionIdentifierAvailable: [.connack],
        .sharedSubscriptionAvailable: [.connack],
    ]

    /// One valid value of every property.
    static let samples: [MQTTProperty] = [
        .payloadFormatIndicator(1), .messageExpiryInterval(3600), .contentType("application/json"),
        .responseTopic("reply/to/7"), .correlationData(ByteBuffer(bytes: [1, 2, 3])),
        .subscriptionIdentifier(268_435_455), .sessionExpiryInterval(0xFFFF_FFFF),
        .assignedClientIdentifier("auto-1"), .serverKeepAlive(30), .authenticationMethod("SCRAM-SHA-1"),
        .authenticationData(ByteBuffer(bytes: [9, 8])), .requestProblemInformation(0), .willDelayInterval(10),
        .requestResponseInformation(1), .responseInformation("resp/"), .serverReference("other:1883"),
        .reasonString("why"), .receiveMaximum(10), .topicAliasMaximum(5), .topicAlias(3), .maximumQoS(1),
        .retainAvailable(0), .userProperty(name: "k", value: "v"), .maximumPacketSize(1024),
        .wildcardSubscriptionAvailable(1), .subscriptionIdentifierAvailable(0), .sharedSubscriptionAvailable(1),
    ]

    /// The property as raw wire bytes, identifier first.
    static func raw(_ property: MQTTProperty) -> [UInt8] {
        let id = property.identifier.rawValue
        switch property {
        case .payloadFormatIndicator(let v), .requestProblemInformation(let v), .requestResponseInformation(let v),
            .maximumQoS(let v), .retainAvailable(let v), .wildcardSubscriptionAvailable(let v),
            .subscriptionIdentifierAvailable(let v), .sharedSubscriptionAvailable(let v):
            return [id, v]
        case .serverKeepAlive(let v), .receiveMaximum(let v), .topicAliasMaximum(let v), .topicAlias(let v):
            return [id] + Wire.u16(v)
        case .messageExpiryInterval(let v), .sessionExpiryInterval(let v), .willDelayInterval(let v),
            .maximumPacketSize(let v):
            return [id] + Wire.u32(v)
        case .contentType(let s), .responseTopic(let s), .assignedClientIdentifier(let s), .authenticationMethod(let s),
            .responseInformation(let s), .serverReference(let s), .reasonString(let s):
            return [id] + Wire.string(s)
        case .correlationData(let d), .authenticationData(let d):
            return [id] + Wire.binary(d.bytes)
        case .subscriptionIdentifier(let v):
            return [id] + Wire.vbi(Int(v))
        case .userProperty(let name, let value):
            return [id] + Wire.string(name) + Wire.string(value)
        }
    }

    /// A packet that carries `properties` in `place`.
    static func packet(_ place: Place, _ properties: MQTTProperties) -> MQTTPacket {
        switch place {
        case .connect: .connect(ConnectPacket(clientID: "c", properties: properties))
        case .will:
            .connect(
                ConnectPacket(clientID: "c", will: .init(topic: "w", payload: buffer("x"), properties: properties))
            )
        case .connack: .connack(ConnAckPacket(properties: properties))
        case .publish: .publish(PublishPacket(topic: "t", payload: buffer("p"), properties: properties))
        case .puback: .puback(PublishFlowPacket(packetID: 1, properties: properties))
        case .pubrec: .pubrec(PublishFlowPacket(packetID: 1, properties: properties))
        case .pubrel: .pubrel(PublishFlowPacket(packetID: 1, properties: properties))
        case .pubcomp: .pubcomp(PublishFlowPacket(packetID: 1, properties: properties))
        case .subscribe:
            .subscribe(
                SubscribePacket(
                    packetID: 1,
                    subscriptions: [TopicSubscription(topicFilter: "a")],
                    properties: properties
                )
            )
        case .suback: .suback(SubAckPacket(packetID: 1, reasonCodes: [.grantedQoS0], properties: properties))
        case .unsubscribe: .unsubscribe(UnsubscribePacket(packetID: 1, topicFilters: ["a"], properties: properties))
        case .unsuback: .unsuback(UnsubAckPacket(packetID: 1, reasonCodes: [.success], properties: properties))
        case .disconnect: .disconnect(DisconnectPacket(properties: properties))
        case .auth: .auth(AuthPacket(reasonCode: .continueAuthentication, properties: properties))
        }
    }

    /// The same packet built by hand around raw property bytes (without the Property Length).
    static func bytes(_ place: Place, _ raw: [UInt8]) -> [UInt8] {
        let properties = Wire.properties(raw)
        return switch place {
        case .connect: Wire.packet(0x10, Wire.string("MQTT"), [5, 0x02], Wire.u16(60), properties, Wire.string("c"))
        case .will:
            Wire.packet(
                0x10,
                Wire.string("MQTT"),
                [5, 0x06],
                Wire.u16(60),
                [0x00],
                Wire.string("c"),
                properties,
                Wire.string("w"),
                Wire.binary([0x78])
            )
        case .connack: Wire.packet(0x20, [0x00, 0x00], properties)
        case .publish: Wire.packet(0x30, Wire.string("t"), properties, [0x70])
        case .puback: Wire.packet(0x40, Wire.u16(1), [0x00], properties)
        case .pubrec: Wire.packet(0x50, Wire.u16(1), [0x00], properties)
        case .pubrel: Wire.packet(0x62, Wire.u16(1), [0x00], properties)
        case .pubcomp: Wire.packet(0x70, Wire.u16(1), [0x00], properties)
        case .subscribe: Wire.packet(0x82, Wire.u16(1), properties, Wire.string("a"), [0x00])
        case .suback: Wire.packet(0x90, Wire.u16(1), properties, [0x00])
        case .unsubscribe: Wire.packet(0xA2, Wire.u16(1), properties, Wire.string("a"))
        case .unsuback: Wire.packet(0xB0, Wire.u16(1), properties, [0x00])
        case .disconnect: Wire.packet(0xE0, [0x00], properties)
        case .auth: Wire.packet(0xF0, [0x18], properties)
        }
    }

    static func role(_ place: Place, _ identifier: MQTTPropertyIdentifier) -> MQTTPacketDecoder.Role {
        switch place {
        case .connack, .suback, .unsuback: .client
        case .publish where identifier == .subscriptionIdentifier: .client
        default: .server
        }
    }

    /// Properties a place needs besides the one under test: AUTH always carries its method
    /// (§3.15.2.2.2), and Authentication Data in CONNECT needs one (§3.1.2.11.10).
    static func companions(_ place: Place, _ property: MQTTProperty) -> [MQTTProperty] {
        let method = MQTTProperty.authenticationMethod("M")
        switch (place, property.identifier) {
        case (.auth, .authenticationMethod): return []
        case (.auth, _), (.connect, .authenticationData): return [method]
        default: return []
        }
    }

    @Test("The test's table covers every property")
    func tableIsComplete() {
        #expect(Self.table.count == MQTTPropertyIdentifier.allCases.count)
        #expect(Set(Self.samples.map(\.identifier)).count == MQTTPropertyIdentifier.allCases.count)
    }

    @Test(
        "Every property round-trips in every place that allows it, and decodes from hand-built bytes",
        arguments: Place.allCases
    )
    func allowed(place: Place) throws {
        for property in Self.samples where Self.table[property.identifier]!.contains(place) {
            let properties = MQTTProperties(Self.companions(place, property) + [property])
            let packet = Self.packet(place, properties)
            try expectRoundTrip(packet, version: .v5)
            let bytes = Self.bytes(place, properties.flatMap(Self.raw))
            #expect(
                try decodeOne(bytes, role: Self.role(place, property.identifier)) == packet,
                "\(property) in \(place)"
            )
        }
    }

    @Test("A property in a place that does not allow it is malformed (§2.2.2.2)", arguments: Place.allCases)
    func disallowed(place: Place) {
        for property in Self.samples where !Self.table[property.identifier]!.contains(place) {
            let properties = MQTTProperties(Self.companions(place, property) + [property])
            expectDecodeError(
                Self.bytes(place, properties.flatMap(Self.raw)),
                .malformedPacket,
                role: Self.role(place, property.identifier)
            )
            expectEncodeError(Self.packet(place, properties), version: .v5, .malformedPacket)
        }
    }

    @Test("Including a property twice is a Protocol Error, except the repeatable ones", arguments: Place.allCases)
    func duplicates(place: Place) throws {
        for property in Self.samples where Self.table[property.identifier]!.contains(place) {
            let properties = MQTTProperties(Self.companions(place, property) + [property, property])
            let bytes = Self.bytes(place, properties.flatMap(Self.raw))
            let role = Self.role(place, property.identifier)
            let repeatable =
                property.identifier == .userProperty
                || (property.identifier == .subscriptionIdentifier && place == .publish)
            if repeatable {
                #expect(try decodeOne(bytes, role: role) == Self.packet(place, properties))
                try expectRoundTrip(Self.packet(place, properties), version: .v5)
            } else {
                expectDecodeError(bytes, .protocolError, role: role)
                expectEncodeError(Self.packet(place, properties), version: .v5, .protocolError)
            }
        }
    }

    @Test(
        "Values the property's section forbids",
        arguments: [
            (.publish, .payloadFormatIndicator(2), .protocolError),
            (.will, .payloadFormatIndicator(255), .protocolError),
            (.connect, .requestProblemInformation(2), .protocolError),
            (.connect, .requestResponseInformation(2), .protocolError),
            (.connack, .maximumQoS(2), .protocolError),
            (.connack, .retainAvailable(2), .protocolError),
            (.connack, .wildcardSubscriptionAvailable(2), .protocolError),
            (.connack, .subscriptionIdentifierAvailable(2), .protocolError),
            (.connack, .sharedSubscriptionAvailable(2), .protocolError),
            (.connect, .receiveMaximum(0), .protocolError),
            (.connack, .receiveMaximum(0), .protocolError),
            (.connect, .maximumPacketSize(0), .protocolError),
            (.connack, .maximumPacketSize(0), .protocolError),
            (.publish, .subscriptionIdentifier(0), .protocolError),
            (.subscribe, .subscriptionIdentifier(0), .protocolError),
            (.publish, .topicAlias(0), .topicAliasInvalid),
            (.publish, .responseTopic("a/#"), .protocolError),
            (.will, .responseTopic("a/+"), .protocolError),
            (.publish, .responseTopic(""), .protocolError),
        ] as [(Place, MQTTProperty, MQTTReasonCode)]
    )
    func invalidValues(place: Place, property: MQTTProperty, reasonCode: MQTTReasonCode) {
        expectDecodeError(
            Self.bytes(place, Self.raw(property)),
            reasonCode,
            role: Self.role(place, property.identifier)
        )
        expectEncodeError(Self.packet(place, [property]), version: .v5, reasonCode)
    }

    @Test(
        "Unknown property identifiers are malformed (§2.2.2.2)",
        arguments: [[0x00], [0x04], [0x0A], [0x2B], [0x7F], [0x80, 0x01], [0xFF, 0xFF, 0xFF, 0x7F]] as [[UInt8]]
    )
    func unknownIdentifiers(identifier: [UInt8]) {
        expectDecodeError(Self.bytes(.publish, identifier + [0x00, 0x00]), .malformedPacket, packetType: .publish)
    }

    @Test("Property values must be complete and well-formed")
    func malformedValues() {
        // A Four Byte Integer cut short by the Property Length.
        expectDecodeError(Self.bytes(.publish, [0x02, 0x00, 0x00]), .malformedPacket, packetType: .publish)
        // A string running past the properties.
        expectDecodeError(Self.bytes(.publish, [0x03, 0x00, 0x09, 0x61]), .malformedPacket, packetType: .publish)
        // Ill-formed UTF-8 and U+0000 in string properties (MQTT-1.5.4-1, MQTT-1.5.4-2, MQTT-1.5.7-1).
        expectDecodeError(Self.bytes(.publish, [0x03] + Wire.binary([0xED, 0xA0, 0x80])), .malformedPacket)
        expectDecodeError(Self.bytes(.publish, [0x26] + Wire.string("k") + Wire.binary([0x00])), .malformedPacket)
        // A Subscription Identifier that is not a valid Variable Byte Integer.
        expectDecodeError(Self.bytes(.subscribe, [0x0B, 0x80, 0x00]), .malformedPacket)
        // A Property Length beyond the packet.
        expectDecodeError(Wire.packet(0x30, Wire.string("t"), [0x7F, 0x01, 0x00]), .malformedPacket)
        // The encoder refuses strings and data it cannot frame.
        expectEncodeError(Self.packet(.publish, [.contentType("a\u{0}")]), version: .v5, .malformedPacket)
        expectEncodeError(
            Self.packet(.publish, [.correlationData(ByteBuffer(repeating: 0, count: 65_536))]),
            version: .v5,
            .malformedPacket
        )
    }

    @Test("Typed accessors read, replace and remove properties")
    func accessors() {
        var properties = MQTTProperties()
        #expect(properties.isEmpty)
        properties.messageExpiryInterval = 5
        properties.append(.messageExpiryInterval(6))
        properties.userProperties = [MQTTUserProperty(name: "a", value: "1"), MQTTUserProperty(name: "a", value: "2")]
        properties.subscriptionIdentifiers = [3, 4]
        #expect(properties.messageExpiryInterval == 5)
        properties.messageExpiryInterval = 7
        #expect(properties.elements.filter { $0.identifier == .messageExpiryInterval } == [.messageExpiryInterval(7)])
        #expect(properties.elements.first == .messageExpiryInterval(7))
        #expect(properties.userProperties.map(\.value) == ["1", "2"])
        #expect(properties.subscriptionIdentifiers == [3, 4])
        properties.messageExpiryInterval = nil
        #expect(properties.messageExpiryInterval == nil)
        properties.payloadFormat = .utf8
        properties.requestProblemInformation = false
        properties.maximumQoS = .atLeastOnce
        #expect(properties.payloadFormat == .utf8)
        #expect(properties.requestProblemInformation == false)
        #expect(properties.maximumQoS == .atLeastOnce)
        #expect(properties.count == 7)
    }
}
