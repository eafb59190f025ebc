import MQTTCodec
import NIOCore
import Testing

@Suite("SUBSCRIBE and SUBACK (MQTT 5.0 §3.8, §3.9)")
struct SubscribeTests {
    @Test("Every combination of Subscription Options round-trips in 5.0 (§3.8.3.1)")
    func allOptionCombinations() throws {
        var count = 0
        for qos in QoS.allCases {
            for noLocal in [false, true] {
                for retainAsPublished in [false, true] {
                    for retainHandling in RetainHandling.allCases {
                        let options = SubscriptionOptions(
                            qos: qos,
                            noLocal: noLocal,
                            retainAsPublished: retainAsPublished,
                            retainHandling: retainHandling
                        )
                        let packet = SubscribePacket(
                            packetID: 1,
                            subscriptions: [TopicSubscription(topicFilter: "a/+", options: options)]
                        )
                        let encoded = try expectRoundTrip(.subscribe(packet), version: .v5)
                        let expectedByte =
                            qos.rawValue | (noLocal ? 4 : 0) | (retainAsPublished ? 8 : 0) | retainHandling.rawValue
                            << 4
                        #expect(encoded.bytes.last == expectedByte)
                        count += 1
                    }
                }
            }
        }
        #expect(count == 36)
    }

    @Test("Round trips with several filters and properties", arguments: MQTTProtocolVersion.allCases)
    func roundTrips(version: MQTTProtocolVersion) throws {
        let packet = SubscribePacket(
            packetID: 65_535,
            subscriptions: QoS.allCases.map {
                TopicSubscription(topicFilter: "s/\($0.rawValue)/#", options: .init(qos: $0))
            }
                + [TopicSubscription(topicFilter: "$share/group/a/b")],
            properties: version == .v5
                ? [.subscriptionIdentifier(268_435_455), .userProperty(name: "k", value: "v")] : []
        )
        try expectRoundTrip(.subscribe(packet), version: version)
    }

    @Test("Byte-exact SUBSCRIBE (§3.8.3, Figure 3-21: a/b at QoS 1, c/d at QoS 2)")
    func exactBytes() throws {
        let v311: [UInt8] = [
            0x82, 0x0E, 0x00, 0x0A, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x01, 0x00, 0x03, 0x63, 0x2F, 0x64, 0x02,
        ]
        let packet = MQTTPacket.subscribe(
            SubscribePacket(
                packetID: 10,
                subscriptions: [
                    TopicSubscription(topicFilter: "a/b", options: .init(qos: .atLeastOnce)),
                    TopicSubscription(topicFilter: "c/d", options: .init(qos: .exactlyOnce)),
                ]
            )
        )
        #expect(try expectRoundTrip(packet, version: .v3_1_1).bytes == v311)
        #expect(try decodeOne(v311, version: .v3_1_1) == packet)

        let v5: [UInt8] = [0x82, 0x0B, 0x00, 0x0A, 0x02, 0x0B, 0x05, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x2D]
        let options = SubscriptionOptions(
            qos: .atLeastOnce,
            noLocal: true,
            retainAsPublished: true,
            retainHandling: .doNotSend
        )
        let v5Packet = MQTTPacket.subscribe(
            SubscribePacket(
                packetID: 10,
                subscriptions: [TopicSubscription(topicFilter: "a/b", options: options)],
                properties: [.subscriptionIdentifier(5)]
            )
        )
        #expect(try expectRoundTrip(v5Packet, version: .v5).bytes == v5)
        #expect(try decodeOne(v5) == v5Packet)
    }

    @Test("A SUBSCRIBE without filters is a Protocol Error (MQTT-3.8.3-2)", arguments: MQTTProtocolVersion.allCases)
    func noFilters(version: MQTTProtocolVersion) {
        let properties: [UInt8] = version == .v5 ? [0x00] : []
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), properties),
            .protocolError,
            packetType: .subscribe,
            version: version
        )
        expectEncodeError(.subscribe(SubscribePacket(packetID: 1, subscriptions: [])), version: version, .protocolError)
    }

    @Test(
        "SUBSCRIBE flags must be 0b0010 (MQTT-3.8.1-1); 3.1 also allows DUP",
        arguments: [UInt8(0x80), 0x81, 0x83, 0x88, 0x8A]
    )
    func flags(firstByte: UInt8) throws {
        let body = Wire.u16(1) + Wire.string("a") + [0x00]
        expectDecodeError(Wire.packet(firstByte, body), .malformedPacket, packetType: .subscribe, version: .v3_1_1)
        expectDecodeError(
            Wire.packet(firstByte, Wire.u16(1), [0x00], Wire.string("a"), [0x00]),
            .malformedPacket,
            packetType: .subscribe
        )
        if firstByte == 0x8A {
            #expect(try decodeOne(Wire.packet(firstByte, body), version: .v3_1)?.type == .subscribe)
        } else {
            expectDecodeError(Wire.packet(firstByte, body), .malformedPacket, version: .v3_1)
        }
    }

    @Test("Reserved option bits 6-7 are malformed (MQTT-3.8.3-5)", arguments: [UInt8(0x40), 0x80, 0xC1])
    func reservedOptionBits(options: UInt8) {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), [0x00], Wire.string("a"), [options]),
            .malformedPacket,
            packetType: .subscribe
        )
    }

    @Test(
        "Maximum QoS 3 and Retain Handling 3 are Protocol Errors in 5.0 (§3.8.3.1)",
        arguments: [UInt8(0x03), 0x30, 0x33]
    )
    func invalidOptionValues(options: UInt8) {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), [0x00], Wire.string("a"), [options]),
            .protocolError,
            packetType: .subscribe
        )
    }

    @Test(
        "3.1.1: only the QoS bits exist; anything else, or QoS 3, is malformed (MQTT 3.1.1 MQTT-3.8.3-4)",
        arguments: [UInt8(0x03), 0x04, 0x08, 0x10, 0x80]
    )
    func v3Options(options: UInt8) {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), Wire.string("a"), [options]),
            .malformedPacket,
            packetType: .subscribe,
            version: .v3_1_1
        )
    }

    @Test("5.0 options cannot be encoded for 3.1.1")
    func v5OptionsIn3() {
        for options in [
            SubscriptionOptions(noLocal: true), SubscriptionOptions(retainAsPublished: true),
            SubscriptionOptions(retainHandling: .doNotSend),
        ] {
            let packet = SubscribePacket(
                packetID: 1,
                subscriptions: [TopicSubscription(topicFilter: "a", options: options)]
            )
            expectEncodeError(.subscribe(packet), version: .v3_1_1, .protocolError)
        }
    }

    @Test("No Local on a Shared Subscription is a Protocol Error (MQTT-3.8.3-4)")
    func noLocalShared() throws {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), [0x00], Wire.string("$share/g/a"), [0x04]),
            .protocolError,
            packetType: .subscribe
        )
        let shared = TopicSubscription(topicFilter: "$share/g/a", options: .init(noLocal: true))
        expectEncodeError(
            .subscribe(SubscribePacket(packetID: 1, subscriptions: [shared])),
            version: .v5,
            .protocolError
        )
        // Not shared: fine.
        let plain = TopicSubscription(topicFilter: "$shared/a", options: .init(noLocal: true))
        try expectRoundTrip(.subscribe(SubscribePacket(packetID: 1, subscriptions: [plain])), version: .v5)
    }

    @Test("Packet Identifier 0 is a Protocol Error (MQTT-2.2.1-3)")
    func packetIdentifierZero() {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(0), [0x00], Wire.string("a"), [0x00]),
            .protocolError,
            packetType: .subscribe
        )
        expectEncodeError(
            .subscribe(SubscribePacket(packetID: 0, subscriptions: [TopicSubscription(topicFilter: "a")])),
            version: .v5,
            .protocolError
        )
    }

    @Test("A filter without its options byte is malformed")
    func missingOptions() {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), [0x00], Wire.string("a")),
            .malformedPacket,
            packetType: .subscribe
        )
    }

    @Test("Subscription Identifier 0 and a second Subscription Identifier are Protocol Errors (§3.8.2.1.2)")
    func subscriptionIdentifier() {
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), Wire.properties([0x0B, 0x00]), Wire.string("a"), [0x00]),
            .protocolError
        )
        expectDecodeError(
            Wire.packet(0x82, Wire.u16(1), Wire.properties([0x0B, 0x01], [0x0B, 0x02]), Wire.string("a"), [0x00]),
            .protocolError
        )
        let packet = SubscribePacket(
            packetID: 1,
            subscriptions: [TopicSubscription(topicFilter: "a")],
            properties: [.subscriptionIdentifier(0)]
        )
        expectEncodeError(.subscribe(packet), version: .v5, .protocolError)
        let tooBig = SubscribePacket(
            packetID: 1,
            subscriptions: [TopicSubscription(topicFilter: "a")],
            properties: [.subscriptionIdentifier(268_435_456)]
        )
        expectEncodeError(.subscribe(tooBig), version: .v5, .protocolError)
    }

    // MARK: SUBACK

    @Test("SUBACK round trips", arguments: MQTTProtocolVersion.allCases)
    func subAckRoundTrips(version: MQTTProtocolVersion) throws {
        let codes: [MQTTReasonCode] = [.grantedQoS0, .grantedQoS1, .grantedQoS2, .unspecifiedError]
        try expectRoundTrip(.suback(SubAckPacket(packetID: 3, reasonCodes: codes)), version: version)
        if version == .v5 {
            let failures: [MQTTReasonCode] = [
                .implementationSpecificError, .notAuthorized, .topicFilterInvalid, .packetIdentifierInUse,
                .quotaExceeded,
                .sharedSubscriptionsNotSupported, .subscriptionIdentifiersNotSupported,
                .wildcardSubscriptionsNotSupported,
            ]
            try expectRoundTrip(
                .suback(
                    SubAckPacket(
                        packetID: 3,
                        reasonCodes: failures,
                        properties: [.reasonString("r"), .userProperty(name: "a", value: "b")]
                    )
                ),
                version: .v5
            )
        }
    }

    @Test(
        "3.1.1 SUBACK writes every failure as 0x80 (MQTT 3.1.1 §3.9.3)",
        arguments: [MQTTProtocolVersion.v3_1, .v3_1_1]
    )
    func subAckFailuresIn3(version: MQTTProtocolVersion) throws {
        let packet = SubAckPacket(
            packetID: 10,
            reasonCodes: [.grantedQoS1, .notAuthorized, .topicFilterInvalid, .grantedQoS0]
        )
        let expected = SubAckPacket(
            packetID: 10,
            reasonCodes: [.grantedQoS1, .unspecifiedError, .unspecifiedError, .grantedQoS0]
        )
        let encoded = try expectRoundTrip(.suback(packet), version: version, expected: .suback(expected))
        #expect(encoded.bytes == [0x90, 0x06, 0x00, 0x0A, 0x01, 0x80, 0x80, 0x00])
        expectEncodeError(
            .suback(SubAckPacket(packetID: 1, reasonCodes: [MQTTReasonCode(rawValue: 0x03)])),
            version: version,
            .protocolError
        )
    }

    @Test(
        "Reserved 3.1.1 SUBACK return codes are refused (MQTT 3.1.1 MQTT-3.9.3-2)",
        arguments: [UInt8(0x03), 0x10, 0x81, 0xFF]
    )
    func reservedSubAckCodes(code: UInt8) throws {
        expectDecodeError(
            [0x90, 0x03, 0x00, 0x01, code],
            .protocolError,
            packetType: .suback,
            role: .client,
            version: .v3_1_1
        )
        // 5.0 carries codes as they come.
        #expect(try decodeOne([0x90, 0x04, 0x00, 0x01, 0x00, code], role: .client) != nil)
    }

    @Test("A SUBACK without codes or with Packet Identifier 0 is a Protocol Error")
    func subAckViolations() {
        expectDecodeError([0x90, 0x03, 0x00, 0x01, 0x00], .protocolError, packetType: .suback, role: .client)
        expectDecodeError(
            [0x90, 0x02, 0x00, 0x01],
            .protocolError,
            packetType: .suback,
            role: .client,
            version: .v3_1_1
        )
        expectDecodeError([0x90, 0x04, 0x00, 0x00, 0x00, 0x00], .protocolError, packetType: .suback, role: .client)
        expectEncodeError(.suback(SubAckPacket(packetID: 1, reasonCodes: [])), version: .v5, .protocolError)
        expectEncodeError(.suback(SubAckPacket(packetID: 0, reasonCodes: [.grantedQoS0])), version: .v5, .protocolError)
    }
}
