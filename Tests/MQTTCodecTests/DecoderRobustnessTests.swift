import MQTTCodec
import NIOCore
import Testing

@Suite("Decoder: fixed header, roles, limits, truncated and garbage input")
struct DecoderRobustnessTests {
    // MARK: Fixed header, §2.1

    @Test("Packet type 0 is reserved: malformed", arguments: [UInt8(0x00), 0x01, 0x0F])
    func reservedType(firstByte: UInt8) {
        for role in [MQTTPacketDecoder.Role.server, .client] {
            expectDecodeError([firstByte, 0x00], .malformedPacket, role: role)
            expectDecodeError([firstByte, 0x00], .malformedPacket, role: role, version: nil)
        }
    }

    @Test("Reserved flag bits of every packet type (§2.1.3, MQTT-2.1.3-1)")
    func reservedFlags() {
        let expectedFlags: [(MQTTPacketType, UInt8, MQTTPacketDecoder.Role)] = [
            (.connack, 0, .client), (.puback, 0, .server), (.pubrec, 0, .server), (.pubrel, 2, .server),
            (.pubcomp, 0, .server), (.subscribe, 2, .server), (.suback, 0, .client), (.unsubscribe, 2, .server),
            (.unsuback, 0, .client), (.pingreq, 0, .server), (.pingresp, 0, .client), (.disconnect, 0, .server),
            (.auth, 0, .server),
        ]
        for (type, valid, role) in expectedFlags {
            for flags in UInt8(0)...15 where flags != valid {
                // The flags are checked on the first byte alone, before any body arrives.
                expectDecodeError([type.rawValue << 4 | flags], .malformedPacket, packetType: type, role: role)
            }
        }
        for flags in UInt8(1)...15 {
            expectDecodeError([0x10 | flags], .malformedPacket, packetType: .connect, version: nil)
        }
    }

    @Test("Packets flowing the wrong way are Protocol Errors (§2.1.2, Table 2-1)")
    func wrongDirection() {
        for firstByte in [0x20, 0x90, 0xB0, 0xD0] as [UInt8] {
            expectDecodeError([firstByte, 0x00], .protocolError, role: .server)
        }
        for firstByte in [0x10, 0x82, 0xA2, 0xC0] as [UInt8] {
            expectDecodeError([firstByte, 0x00], .protocolError, role: .client)
        }
    }

    @Test("Before CONNECT a server accepts nothing else (MQTT-3.1.0-1)")
    func beforeConnect() {
        for firstByte in [0x30, 0x40, 0x62, 0x82, 0xA2, 0xC0, 0xE0, 0xF0, 0x20] as [UInt8] {
            expectDecodeError([firstByte, 0x00], .protocolError, role: .server, version: nil)
        }
        // An HTTP request on the MQTT port: 'G' is 0x47, a PUBACK.
        expectDecodeError(Array("GET / HTTP/1.1\r\n".utf8), .protocolError, role: .server, version: nil)
    }

    @Test("A client-role decoder needs to be told its version")
    func clientNeedsVersion() {
        expectDecodeError([0x20, 0x03, 0x00, 0x00, 0x00], .protocolError, role: .client, version: nil)
    }

    // MARK: Remaining Length and maximum packet size

    @Test("A Remaining Length with a fifth byte is malformed before the body arrives")
    func remainingLengthTooLong() {
        expectDecodeError([0x30, 0xFF, 0xFF, 0xFF, 0xFF], .malformedPacket, packetType: .publish)
        expectDecodeError([0x30, 0x80, 0x80, 0x80, 0x80, 0x01], .malformedPacket, packetType: .publish)
        expectDecodeError([0x30, 0x80, 0x00], .malformedPacket, packetType: .publish)
    }

    @Test("An oversized packet is refused with 0x95 as soon as its fixed header is read (§3.1.2.11.4)")
    func oversizedBeforeBody() throws {
        // A PUBLISH announcing 268,435,455 bytes: only the five header bytes are there.
        expectDecodeError(
            [0x30, 0xFF, 0xFF, 0xFF, 0x7F],
            .packetTooLarge,
            packetType: .publish,
            maximumPacketSize: 1024
        )
        // 1 + 2 + 1022 = 1025 bytes against a limit of 1024; one byte fewer passes.
        expectDecodeError([0x30, 0xFE, 0x07], .packetTooLarge, packetType: .publish, maximumPacketSize: 1024)
        var decoder = MQTTPacketDecoder(role: .server, protocolVersion: .v5, maximumPacketSize: 1024)
        var header = ByteBuffer(bytes: [0x30, 0xFD, 0x07])
        #expect(try decoder.decodePacket(from: &header) == nil)
        // The limit applies to a CONNECT too, and in the client role.
        expectDecodeError(
            [0x10, 0xFF, 0x7F],
            .packetTooLarge,
            packetType: .connect,
            version: nil,
            maximumPacketSize: 100
        )
        expectDecodeError(
            [0x20, 0xFF, 0x7F],
            .packetTooLarge,
            packetType: .connack,
            role: .client,
            maximumPacketSize: 100
        )
    }

    @Test("A packet of exactly the maximum size is accepted")
    func exactlyMaximumSize() throws {
        let packet = MQTTPacket.publish(PublishPacket(topic: "t", payload: ByteBuffer(repeating: 1, count: 1000)))
        var encoded = ByteBuffer()
        try encoded.writeMQTTPacket(packet, version: .v5)
        var decoder = MQTTPacketDecoder(role: .server, protocolVersion: .v5, maximumPacketSize: encoded.readableBytes)
        #expect(try decoder.decodePacket(from: &encoded) == packet)
        decoder.maximumPacketSize -= 1
        var again = ByteBuffer()
        try again.writeMQTTPacket(packet, version: .v5)
        #expect(throws: MQTTCodecError.self) { try decoder.decodePacket(from: &again) }
    }

    // MARK: Truncated input

    @Test("Every prefix of a valid packet returns nil and consumes nothing", arguments: MQTTProtocolVersion.allCases)
    func truncation(version: MQTTProtocolVersion) throws {
        let sets: [(MQTTPacketDecoder.Role, [MQTTPacket])] = [
            (.server, SamplePackets.fromClient(version)), (.client, SamplePackets.fromServer(version)),
        ]
        for (role, packets) in sets {
            for (packet, encoded) in try zip(packets, SamplePackets.encoded(packets, version)) {
                let initialVersion: MQTTProtocolVersion? = packet.type == .connect ? nil : version
                for length in 0..<encoded.readableBytes {
                    var decoder = MQTTPacketDecoder(role: role, protocolVersion: initialVersion)
                    var prefix = encoded.getSlice(at: encoded.readerIndex, length: length)!
                    #expect(try decoder.decodePacket(from: &prefix) == nil, "\(packet.type) cut at \(length)")
                    #expect(prefix.readableBytes == length)
                    #expect(decoder.protocolVersion == initialVersion)
                }
            }
        }
    }

    // MARK: Garbage input

    @Test("Random bytes never crash the decoder; whatever decodes re-encodes to the same packet")
    func garbage() {
        var generator = SeededGenerator(seed: 0x5EED_C0DE)
        var decodedCount = 0
        var refusedCount = 0
        for round in 0..<20_000 {
            let count = Int.random(in: 0...48, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Give half the inputs a plausible fixed header (flags 0, a Remaining Length that
            // fits) so that decoding gets past it.
            if round % 2 == 0 && bytes.count > 1 {
                bytes[0] &= 0xF0
                if bytes[0] == 0x60 || bytes[0] == 0x80 || bytes[0] == 0xA0 { bytes[0] |= 0x02 }
                bytes[1] = UInt8(bytes.count - 2)
            }
            for role in [MQTTPacketDecoder.Role.server, .client] {
                for version in [nil] + MQTTProtocolVersion.allCases.map(Optional.some) {
                    if role == .client && version == nil { continue }
                    var decoder = MQTTPacketDecoder(role: role, protocolVersion: version)
                    var input = ByteBuffer(bytes: bytes)
                    var decoded: [(MQTTPacket, MQTTProtocolVersion)] = []
                    do throws(MQTTCodecError) {
                        while let packet = try decoder.decodePacket(from: &input) {
                            decoded.append((packet, decoder.protocolVersion ?? .v5))
                        }
                    } catch {
                        refusedCount += 1
                    }
                    decodedCount += decoded.count
                    for (packet, packetVersion) in decoded {
                        expectReencodes(packet, role: role, version: packetVersion, input: bytes)
                    }
                }
            }
        }
        #expect(decodedCount > 300)
        #expect(refusedCount > 1000)
    }

    private func expectReencodes(
        _ packet: MQTTPacket,
        role: MQTTPacketDecoder.Role,
        version: MQTTProtocolVersion,
        input: [UInt8]
    ) {
        var version = version
        if case .connect(let connect) = packet { version = connect.protocolVersion }
        do throws(MQTTCodecError) {
            var encoded = ByteBuffer()
            try encoded.writeMQTTPacket(packet, version: version)
            var decoder = MQTTPacketDecoder(role: role, protocolVersion: packet.type == .connect ? nil : version)
            let again = try decoder.decodePacket(from: &encoded)
            #expect(again == packet, "input \(input)")
        } catch {
            Issue.record("decoded \(packet) from \(input) but cannot re-encode it: \(error)")
        }
    }
}
