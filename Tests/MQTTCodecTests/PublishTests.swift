import MQTTCodec
import NIOCore
import Testing

@Suite("PUBLISH (MQTT 5.0 §3.3, MQTT 3.1.1 §3.3)")
struct PublishTests {
    @Test("Round trips for every QoS, RETAIN and DUP combination", arguments: MQTTProtocolVersion.allCases)
    func flagCombinations(version: MQTTProtocolVersion) throws {
        for qos in QoS.allCases {
            for retain in [false, true] {
                for dup in qos == .atMostOnce ? [false] : [false, true] {
                    let packet = PublishPacket(
                        topic: "site/42/generator/7/telemetry",
                        payload: buffer("{\"fuel\": 0.8}"),
                        qos: qos,
                        retain: retain,
                        dup: dup,
                        packetID: qos == .atMostOnce ? nil : 4711
                    )
                    let encoded = try expectRoundTrip(.publish(packet), version: version)
                    let flags = (dup ? 0x08 : 0) | qos.rawValue << 1 | (retain ? 1 : 0)
                    #expect(encoded.bytes.first == 0x30 | flags)
                }
            }
        }
    }

    @Test("Round trips of unusual but valid packets", arguments: MQTTProtocolVersion.allCases)
    func unusualPackets(version: MQTTProtocolVersion) throws {
        let packets = [
            PublishPacket(topic: "/", payload: ByteBuffer()),
            PublishPacket(topic: "$SYS/broker/load", payload: ByteBuffer(bytes: [0, 255, 0])),
            PublishPacket(topic: "Grüße/🚗 car", payload: buffer("ü"), qos: .atLeastOnce, packetID: 1),
            PublishPacket(
                topic: String(repeating: "t", count: 65_535),
                payload: buffer("x"),
                qos: .exactlyOnce,
                packetID: 65_535
            ),
        ]
        for packet in packets {
            try expectRoundTrip(.publish(packet), version: version)
        }
    }

    @Test("5.0: an empty topic with a Topic Alias, and every PUBLISH property")
    func v5Properties() throws {
        try expectRoundTrip(
            .publish(PublishPacket(topic: "", payload: buffer("x"), properties: [.topicAlias(3)])),
            version: .v5
        )
        let properties: MQTTProperties = [
            .payloadFormatIndicator(1), .messageExpiryInterval(3600), .topicAlias(65_535), .responseTopic("reply/7"),
            .correlationData(ByteBuffer(bytes: [1, 2, 3])), .userProperty(name: "a", value: "1"),
            .userProperty(name: "a", value: "2"), .subscriptionIdentifier(1), .subscriptionIdentifier(268_435_455),
            .contentType("application/json"),
        ]
        try expectRoundTrip(
            .publish(PublishPacket(topic: "t", payload: buffer("{}"), properties: properties)),
            version: .v5
        )
    }

    @Test(
        "3.1 and 3.1.1 leave 5.0 properties out: a forwarded message loses them (§3.3.4)",
        arguments: [MQTTProtocolVersion.v3_1, .v3_1_1]
    )
    func propertiesDroppedBefore5(version: MQTTProtocolVersion) throws {
        let packet = PublishPacket(
            topic: "t",
            payload: buffer("p"),
            properties: [.messageExpiryInterval(5), .userProperty(name: "k", value: "v")]
        )
        var stripped = packet
        stripped.properties = []
        let encoded = try expectRoundTrip(.publish(packet), version: version, expected: .publish(stripped))
        #expect(encoded.bytes == [0x30, 0x04, 0x00, 0x01, 0x74, 0x70])
    }

    @Test("The payload is a slice of the input buffer, not a copy")
    func zeroCopyPayload() throws {
        var input = ByteBuffer()
        try input.writeMQTTPacket(
            .publish(PublishPacket(topic: "t", payload: ByteBuffer(repeating: 9, count: 1000))),
            version: .v5
        )
        let base = input.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress!) }
        var decoder = MQTTPacketDecoder(role: .server, protocolVersion: .v5)
        guard case .publish(let publish) = try decoder.decodePacket(from: &input) else {
            Issue.record("not a PUBLISH")
            return
        }
        let payloadBase = publish.payload.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress!) }
        // Fixed header (1 + 2), topic (2 + 1), Property Length (1).
        #expect(payloadBase == base + 7)
        #expect(publish.properties.isEmpty)
    }

    @Test(
        "Remaining Length at the Variable Byte Integer boundaries (§1.5.5, Table 1-1)",
        arguments: [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455]
    )
    func remainingLengthBoundaries(remainingLength: Int) throws {
        // 3.1.1 QoS 0: the topic "t" takes 3 bytes, the payload the rest.
        guard remainingLength >= 3 else {
            try expectRoundTrip(.pingreq, version: .v3_1_1)
            return
        }
        let packet = MQTTPacket.publish(
            PublishPacket(topic: "t", payload: ByteBuffer(repeating: 0xA5, count: remainingLength - 3))
        )
        let encoded = try expectRoundTrip(packet, version: .v3_1_1)
        let lengthBytes = Wire.vbi(remainingLength)
        #expect(Array(encoded.readableBytesView.prefix(1 + lengthBytes.count)) == [0x30] + lengthBytes)
        #expect(encoded.readableBytes == 1 + lengthBytes.count + remainingLength)
    }

    @Test("A packet with more than 268,435,455 bytes after the fixed header cannot be encoded")
    func tooLargeToEncode() {
        let packet = MQTTPacket.publish(
            PublishPacket(topic: "t", payload: ByteBuffer(repeating: 0, count: 268_435_453))
        )
        #expect(packet.encodedSize(version: .v3_1_1) == 1 + 4 + 268_435_456)
        expectEncodeError(packet, version: .v3_1_1, .packetTooLarge)
    }

    @Test("writeMQTTPublishHeader writes everything but the payload", arguments: MQTTProtocolVersion.allCases)
    func headerOnly(version: MQTTProtocolVersion) throws {
        let packet = PublishPacket(
            topic: "a/b",
            payload: ByteBuffer(repeating: 1, count: 200),
            qos: .atLeastOnce,
            packetID: 9,
            properties: version == .v5 ? [.contentType("x")] : []
        )
        var whole = ByteBuffer()
        try whole.writeMQTTPacket(.publish(packet), version: version)
        var header = ByteBuffer()
        let written = try header.writeMQTTPublishHeader(packet, version: version)
        #expect(written == header.readableBytes)
        header.writeImmutableBuffer(packet.payload)
        #expect(header == whole)
    }

    // MARK: Byte-exact packets

    @Test("Byte-exact PUBLISH packets (§3.3.2.3.9, Figure 3-9: topic a/b, Packet Identifier 10)")
    func exactBytes() throws {
        let v311: [UInt8] = [0x32, 0x09, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x0A, 0x68, 0x69]
        let qos1 = MQTTPacket.publish(
            PublishPacket(topic: "a/b", payload: buffer("hi"), qos: .atLeastOnce, packetID: 10)
        )
        #expect(try expectRoundTrip(qos1, version: .v3_1_1).bytes == v311)
        #expect(try decodeOne(v311, version: .v3_1_1) == qos1)

        let v5: [UInt8] = [0x33, 0x0A, 0x00, 0x03, 0x61, 0x2F, 0x62, 0x00, 0x0A, 0x00, 0x68, 0x69]
        var retained = qos1
        if case .publish(var publish) = retained {
            publish.retain = true
            retained = .publish(publish)
        }
        #expect(try expectRoundTrip(retained, version: .v5).bytes == v5)
        #expect(try decodeOne(v5) == retained)

        let alias: [UInt8] = [0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x05, 0x7A]
        #expect(
            try decodeOne(alias)
                == .publish(PublishPacket(topic: "", payload: buffer("z"), properties: [.topicAlias(5)]))
        )
    }

    // MARK: Violations

    @Test("QoS 3 is malformed (MQTT-3.3.1-4)", arguments: [UInt8(0x36), 0x37, 0x3E, 0x3F])
    func qos3(firstByte: UInt8) {
        expectDecodeError(
            Wire.packet(firstByte, Wire.string("t"), Wire.u16(1), [0x00]),
            .malformedPacket,
            packetType: .publish
        )
        expectDecodeError(Wire.packet(firstByte, Wire.string("t"), Wire.u16(1)), .malformedPacket, version: .v3_1_1)
    }

    @Test("DUP at QoS 0 is malformed (MQTT-3.3.1-2)", arguments: MQTTProtocolVersion.allCases)
    func dupAtQoS0(version: MQTTProtocolVersion) {
        let properties: [UInt8] = version == .v5 ? [0x00] : []
        expectDecodeError(
            Wire.packet(0x38, Wire.string("t"), properties),
            .malformedPacket,
            packetType: .publish,
            version: version
        )
        expectEncodeError(
            .publish(PublishPacket(topic: "t", payload: ByteBuffer(), dup: true)),
            version: version,
            .malformedPacket
        )
    }

    @Test("Packet Identifier 0 at QoS 1 and 2 is a Protocol Error (MQTT-2.2.1-3)", arguments: [UInt8(0x32), 0x34])
    func packetIdentifierZero(firstByte: UInt8) {
        expectDecodeError(
            Wire.packet(firstByte, Wire.string("t"), Wire.u16(0), [0x00]),
            .protocolError,
            packetType: .publish
        )
        expectDecodeError(Wire.packet(firstByte, Wire.string("t"), Wire.u16(0)), .protocolError, version: .v3_1_1)
    }

    @Test("Packet Identifiers must be present exactly at QoS 1 and 2 (MQTT-2.2.1-2, MQTT-2.2.1-3)")
    func packetIdentifierPresence() {
        expectEncodeError(
            .publish(PublishPacket(topic: "t", payload: ByteBuffer(), qos: .atLeastOnce)),
            version: .v5,
            .protocolError
        )
        expectEncodeError(
            .publish(PublishPacket(topic: "t", payload: ByteBuffer(), qos: .exactlyOnce, packetID: 0)),
            version: .v5,
            .protocolError
        )
        expectEncodeError(
            .publish(PublishPacket(topic: "t", payload: ByteBuffer(), packetID: 3)),
            version: .v3_1_1,
            .protocolError
        )
        // A QoS 1 PUBLISH cut before its Packet Identifier is malformed.
        expectDecodeError(Wire.packet(0x32, Wire.string("t"), [0x00]), .malformedPacket)
    }

    @Test(
        "Wildcards in a Topic Name are 0x90 Topic Name invalid (MQTT-3.3.2-2)",
        arguments: ["+", "#", "a/+/b", "a/#", "a+b"]
    )
    func wildcardTopic(topic: String) {
        expectDecodeError(Wire.packet(0x30, Wire.string(topic), [0x00]), .topicNameInvalid, packetType: .publish)
        expectDecodeError(Wire.packet(0x30, Wire.string(topic)), .topicNameInvalid, version: .v3_1_1)
        expectEncodeError(.publish(PublishPacket(topic: topic, payload: ByteBuffer())), version: .v5, .topicNameInvalid)
    }

    @Test("An empty Topic Name needs a Topic Alias (§3.3.2.1); 3.1.1 has none (MQTT-4.7.3-1)")
    func emptyTopic() {
        expectDecodeError(Wire.packet(0x30, Wire.string(""), [0x00]), .protocolError, packetType: .publish)
        expectDecodeError(Wire.packet(0x30, Wire.string("")), .protocolError, version: .v3_1_1)
        expectDecodeError(Wire.packet(0x30, Wire.string("")), .protocolError, version: .v3_1)
        expectEncodeError(.publish(PublishPacket(topic: "", payload: ByteBuffer())), version: .v5, .protocolError)
        expectEncodeError(
            .publish(PublishPacket(topic: "", payload: ByteBuffer(), properties: [.topicAlias(1)])),
            version: .v3_1_1,
            .protocolError
        )
    }

    @Test("Topic Alias 0 is 0x94 Topic Alias invalid (MQTT-3.3.2-8, §3.3.4)")
    func topicAliasZero() {
        expectDecodeError(
            Wire.packet(0x30, Wire.string("t"), Wire.properties([0x23, 0x00, 0x00])),
            .topicAliasInvalid,
            packetType: .publish
        )
        expectEncodeError(
            .publish(PublishPacket(topic: "t", payload: ByteBuffer(), properties: [.topicAlias(0)])),
            version: .v5,
            .topicAliasInvalid
        )
    }

    @Test("A client must not send Subscription Identifiers; a server may (MQTT-3.3.4-6)")
    func subscriptionIdentifierDirection() throws {
        let bytes = Wire.packet(0x30, Wire.string("t"), Wire.properties([0x0B, 0x07]))
        expectDecodeError(bytes, .protocolError, packetType: .publish, role: .server)
        #expect(
            try decodeOne(bytes, role: .client)
                == .publish(PublishPacket(topic: "t", payload: ByteBuffer(), properties: [.subscriptionIdentifier(7)]))
        )
    }

    @Test("A Topic Name that is not well-formed UTF-8 is malformed (MQTT-1.5.4-1, MQTT-1.5.4-2)")
    func illFormedTopic() {
        expectDecodeError(Wire.packet(0x30, Wire.binary([0x61, 0xFF]), [0x00]), .malformedPacket, packetType: .publish)
        expectDecodeError(Wire.packet(0x30, Wire.binary([0x61, 0x00]), [0x00]), .malformedPacket, packetType: .publish)
        expectEncodeError(
            .publish(PublishPacket(topic: "a\u{0}", payload: ByteBuffer())),
            version: .v5,
            .malformedPacket
        )
    }

    @Test("A Topic Name or Property Length running past the packet is malformed")
    func overruns() {
        expectDecodeError(Wire.packet(0x30, [0x00, 0x05, 0x61]), .malformedPacket, packetType: .publish)
        expectDecodeError(Wire.packet(0x30, Wire.string("t"), [0x05, 0x01]), .malformedPacket, packetType: .publish)
        expectDecodeError(Wire.packet(0x30, Wire.string("t")), .malformedPacket, packetType: .publish)
    }
}
