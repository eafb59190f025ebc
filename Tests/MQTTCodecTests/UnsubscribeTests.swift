import MQTTCodec
import NIOCore
import Testing

@Suite("UNSUBSCRIBE and UNSUBACK (MQTT 5.0 §3.10, §3.11)")
struct UnsubscribeTests {
    @Test("UNSUBSCRIBE round trips", arguments: MQTTProtocolVersion.allCases)
    func roundTrips(version: MQTTProtocolVersion) throws {
        try expectRoundTrip(.unsubscribe(UnsubscribePacket(packetID: 1, topicFilters: ["a"])), version: version)
        let packet = UnsubscribePacket(
            packetID: 65_535,
            topicFilters: ["site/+/status", "#", "$share/g/x"],
            properties: version == .v5 ? [.userProperty(name: "k", value: "v")] : []
        )
        try expectRoundTrip(.unsubscribe(packet), version: version)
    }

    @Test("Byte-exact UNSUBSCRIBE (§3.10.3, Figure 3.30: a/b and c/d)")
    func exactBytes() throws {
        let v311: [UInt8] = [0xA2, 0x0C, 0x00, 0x0A, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x03, 0x63, 0x2F, 0x64]
        let packet = MQTTPacket.unsubscribe(UnsubscribePacket(packetID: 10, topicFilters: ["a/b", "c/d"]))
        #expect(try expectRoundTrip(packet, version: .v3_1_1).bytes == v311)
        #expect(try decodeOne(v311, version: .v3_1_1) == packet)
        let v5: [UInt8] = [0xA2, 0x08, 0x00, 0x0A, 0x00, 0x00, 0x03, 0x61, 0x2F, 0x62]
        let single = MQTTPacket.unsubscribe(UnsubscribePacket(packetID: 10, topicFilters: ["a/b"]))
        #expect(try expectRoundTrip(single, version: .v5).bytes == v5)
    }

    @Test("An UNSUBSCRIBE without filters is a Protocol Error (MQTT-3.10.3-2)", arguments: MQTTProtocolVersion.allCases)
    func noFilters(version: MQTTProtocolVersion) {
        let properties: [UInt8] = version == .v5 ? [0x00] : []
        expectDecodeError(
            Wire.packet(0xA2, Wire.u16(1), properties),
            .protocolError,
            packetType: .unsubscribe,
            version: version
        )
        expectEncodeError(
            .unsubscribe(UnsubscribePacket(packetID: 1, topicFilters: [])),
            version: version,
            .protocolError
        )
    }

    @Test("UNSUBSCRIBE flags must be 0b0010 (MQTT-3.10.1-1)", arguments: [UInt8(0xA0), 0xA1, 0xA3, 0xAA])
    func flags(firstByte: UInt8) {
        expectDecodeError(
            Wire.packet(firstByte, Wire.u16(1), [0x00], Wire.string("a")),
            .malformedPacket,
            packetType: .unsubscribe
        )
    }

    @Test("Packet Identifier 0, a truncated filter or ill-formed UTF-8 are refused")
    func violations() {
        expectDecodeError(
            Wire.packet(0xA2, Wire.u16(0), [0x00], Wire.string("a")),
            .protocolError,
            packetType: .unsubscribe
        )
        expectDecodeError(
            Wire.packet(0xA2, Wire.u16(1), [0x00], [0x00, 0x04, 0x61]),
            .malformedPacket,
            packetType: .unsubscribe
        )
        expectDecodeError(Wire.packet(0xA2, Wire.u16(1), [0x00], Wire.binary([0xC0, 0xAF])), .malformedPacket)
        expectEncodeError(
            .unsubscribe(UnsubscribePacket(packetID: 0, topicFilters: ["a"])),
            version: .v5,
            .protocolError
        )
    }

    @Test("UNSUBACK round trips; 3.1.1 has no payload (MQTT 3.1.1 §3.11.3)", arguments: MQTTProtocolVersion.allCases)
    func unsubAck(version: MQTTProtocolVersion) throws {
        if version == .v5 {
            let codes: [MQTTReasonCode] = [
                .success, .noSubscriptionExisted, .unspecifiedError, .implementationSpecificError, .notAuthorized,
                .topicFilterInvalid, .packetIdentifierInUse,
            ]
            let packet = UnsubAckPacket(packetID: 10, reasonCodes: codes, properties: [.reasonString("r")])
            try expectRoundTrip(.unsuback(packet), version: .v5)
            #expect(
                try expectRoundTrip(.unsuback(UnsubAckPacket(packetID: 10, reasonCodes: [.success])), version: .v5)
                    .bytes
                    == [0xB0, 0x04, 0x00, 0x0A, 0x00, 0x00]
            )
        } else {
            let encoded = try expectRoundTrip(
                .unsuback(UnsubAckPacket(packetID: 10, reasonCodes: [.success])),
                version: version,
                expected: .unsuback(UnsubAckPacket(packetID: 10))
            )
            #expect(encoded.bytes == [0xB0, 0x02, 0x00, 0x0A])
            expectDecodeError(
                [0xB0, 0x03, 0x00, 0x0A, 0x00],
                .malformedPacket,
                packetType: .unsuback,
                role: .client,
                version: version
            )
        }
    }

    @Test("A 5.0 UNSUBACK without codes or with Packet Identifier 0 is a Protocol Error")
    func unsubAckViolations() {
        expectDecodeError([0xB0, 0x03, 0x00, 0x0A, 0x00], .protocolError, packetType: .unsuback, role: .client)
        expectDecodeError([0xB0, 0x04, 0x00, 0x00, 0x00, 0x00], .protocolError, packetType: .unsuback, role: .client)
        expectEncodeError(.unsuback(UnsubAckPacket(packetID: 1)), version: .v5, .protocolError)
    }
}
