import MQTTCodec
import NIOCore
import Testing

@Suite("PUBACK, PUBREC, PUBREL, PUBCOMP (MQTT 5.0 §3.4–§3.7)")
struct PublishFlowTests {
    typealias Make = @Sendable (PublishFlowPacket) -> MQTTPacket

    static let kinds: [(MQTTPacketType, UInt8, Make)] = [
        (.puback, 0x40, { .puback($0) }),
        (.pubrec, 0x50, { .pubrec($0) }),
        (.pubrel, 0x62, { .pubrel($0) }),
        (.pubcomp, 0x70, { .pubcomp($0) }),
    ]

    @Test("Round trips in every version", arguments: MQTTProtocolVersion.allCases)
    func roundTrips(version: MQTTProtocolVersion) throws {
        for (_, firstByte, make) in Self.kinds {
            for id in [1, 2, 0x1234, 65_535] as [UInt16] {
                let encoded = try expectRoundTrip(make(PublishFlowPacket(packetID: id)), version: version)
                #expect(encoded.bytes == [firstByte, 0x02] + Wire.u16(id))
            }
        }
    }

    @Test("5.0: both short forms and the long form are written and read (§3.4.2.1, §3.4.2.2.1)")
    func v5Forms() throws {
        for (type, firstByte, make) in Self.kinds {
            // Success without properties: Remaining Length 2.
            #expect(
                try expectRoundTrip(make(PublishFlowPacket(packetID: 7)), version: .v5).bytes == [
                    firstByte, 0x02, 0x00, 0x07,
                ]
            )
            // A reason code without properties: Remaining Length 3, no Property Length.
            let code: MQTTReasonCode = type == .pubrel || type == .pubcomp ? .packetIdentifierNotFound : .quotaExceeded
            #expect(
                try expectRoundTrip(make(PublishFlowPacket(packetID: 7, reasonCode: code)), version: .v5).bytes
                    == [firstByte, 0x03, 0x00, 0x07, code.rawValue]
            )
            // Reason code and properties.
            let long = make(
                PublishFlowPacket(
                    packetID: 7,
                    reasonCode: code,
                    properties: [.reasonString("r"), .userProperty(name: "k", value: "v")]
                )
            )
            try expectRoundTrip(long, version: .v5)
            // Success with properties keeps the reason code byte.
            let successWithProperties = make(PublishFlowPacket(packetID: 7, properties: [.reasonString("ok")]))
            #expect(
                try expectRoundTrip(successWithProperties, version: .v5).bytes
                    == [firstByte, 0x09, 0x00, 0x07, 0x00, 0x05, 0x1F, 0x00, 0x02, 0x6F, 0x6B]
            )
            // Every form a peer may send decodes: 2, 3, 4 bytes (an empty property list).
            let role: MQTTPacketDecoder.Role = .client
            #expect(try decodeOne([firstByte, 0x02, 0x00, 0x07], role: role) == make(PublishFlowPacket(packetID: 7)))
            #expect(
                try decodeOne([firstByte, 0x03, 0x00, 0x07, 0x00], role: role) == make(PublishFlowPacket(packetID: 7))
            )
            #expect(
                try decodeOne([firstByte, 0x04, 0x00, 0x07, 0x10, 0x00], role: role)
                    == make(PublishFlowPacket(packetID: 7, reasonCode: .noMatchingSubscribers))
            )
        }
    }

    @Test("Packet Identifier 0 is a Protocol Error (MQTT-2.2.1-5)", arguments: MQTTProtocolVersion.allCases)
    func packetIdentifierZero(version: MQTTProtocolVersion) {
        for (type, firstByte, make) in Self.kinds {
            expectDecodeError([firstByte, 0x02, 0x00, 0x00], .protocolError, packetType: type, version: version)
            expectEncodeError(make(PublishFlowPacket(packetID: 0)), version: version, .protocolError)
        }
    }

    @Test(
        "3.1.1 has no reason codes: the 5.0 forms are malformed there, failures cannot be encoded",
        arguments: [MQTTProtocolVersion.v3_1, .v3_1_1]
    )
    func v3HasNoReasonCodes(version: MQTTProtocolVersion) {
        for (type, firstByte, make) in Self.kinds {
            expectDecodeError(
                [firstByte, 0x03, 0x00, 0x01, 0x10],
                .malformedPacket,
                packetType: type,
                version: version
            )
            expectEncodeError(
                make(PublishFlowPacket(packetID: 1, reasonCode: .unspecifiedError)),
                version: version,
                .protocolError
            )
        }
    }

    @Test("Truncated bodies are malformed")
    func truncated() {
        for (type, firstByte, _) in Self.kinds {
            expectDecodeError([firstByte, 0x01, 0x00], .malformedPacket, packetType: type)
            expectDecodeError([firstByte, 0x00], .malformedPacket, packetType: type)
            // A Property Length longer than what follows.
            expectDecodeError([firstByte, 0x05, 0x00, 0x01, 0x00, 0x03, 0x1F], .malformedPacket, packetType: type)
        }
    }

    @Test("PUBREL flags must be 0b0010 (MQTT-3.6.1-1); 3.1 also allows DUP (0b1010)")
    func pubrelFlags() throws {
        for firstByte in [0x60, 0x61, 0x63, 0x64, 0x6A, 0x6F] as [UInt8] {
            expectDecodeError([firstByte, 0x02, 0x00, 0x01], .malformedPacket, packetType: .pubrel)
            expectDecodeError([firstByte, 0x02, 0x00, 0x01], .malformedPacket, packetType: .pubrel, version: .v3_1_1)
        }
        #expect(try decodeOne([0x6A, 0x02, 0x00, 0x01], version: .v3_1) == .pubrel(PublishFlowPacket(packetID: 1)))
    }

    @Test("PUBACK, PUBREC and PUBCOMP flags must be 0 (MQTT-2.1.3-1)")
    func otherFlags() {
        for firstByte in [0x41, 0x42, 0x48, 0x52, 0x72, 0x7F] as [UInt8] {
            expectDecodeError([firstByte, 0x02, 0x00, 0x01], .malformedPacket)
        }
    }
}
