import MQTTCodec
import NIOCore
import Testing

@Suite("CONNECT (MQTT 5.0 §3.1, MQTT 3.1.1 §3.1)")
struct ConnectTests {
    /// A minimal valid CONNECT body after the fixed header, for building variants by hand.
    static func body(
        name: String = "MQTT",
        level: UInt8 = 5,
        flags: UInt8 = 0x02,
        properties: [UInt8] = [0x00],
        payload: [UInt8] = Wire.string("c1")
    ) -> [UInt8] {
        Wire.string(name) + [level, flags] + Wire.u16(60) + properties + payload
    }

    @Test(
        "Round trips in every version, with and without Will, user name and password",
        arguments: MQTTProtocolVersion.allCases
    )
    func roundTrips(version: MQTTProtocolVersion) throws {
        let v5 = version == .v5
        let packets: [ConnectPacket] = [
            ConnectPacket(protocolVersion: version, clientID: "c"),
            ConnectPacket(protocolVersion: version, clientID: "", cleanStart: false, keepAlive: 0),
            ConnectPacket(protocolVersion: version, clientID: "sensor-1", keepAlive: 65535, username: "u"),
            ConnectPacket(protocolVersion: version, clientID: "sensor-1", username: "u", password: buffer("p")),
            ConnectPacket(
                protocolVersion: version,
                clientID: "généré",
                username: "",
                password: ByteBuffer(bytes: [0, 255, 1]),
                will: .init(topic: "w/t", payload: ByteBuffer(), qos: .exactlyOnce, retain: true)
            ),
            ConnectPacket(
                protocolVersion: version,
                clientID: "x",
                will: .init(
                    topic: "w",
                    payload: ByteBuffer(repeating: 7, count: 65_535),
                    qos: .atMostOnce,
                    properties: v5 ? [.willDelayInterval(1), .payloadFormatIndicator(1), .contentType("t")] : []
                ),
                properties: v5 ? [.sessionExpiryInterval(0xFFFF_FFFF), .userProperty(name: "k", value: "v")] : []
            ),
        ]
        for packet in packets {
            try expectRoundTrip(.connect(packet), version: version)
        }
        for qos in QoS.allCases {
            for retain in [false, true] {
                let will = ConnectPacket.Will(topic: "t", payload: buffer("bye"), qos: qos, retain: retain)
                try expectRoundTrip(
                    .connect(ConnectPacket(protocolVersion: version, clientID: "c", will: will)),
                    version: version
                )
            }
        }
    }

    @Test("5.0 allows a password without a user name (§3.1.2.9)")
    func passwordWithoutUsernameIn5() throws {
        try expectRoundTrip(.connect(ConnectPacket(clientID: "c", password: buffer("token"))), version: .v5)
    }

    @Test("The Will payload and the password are slices of the input")
    func zeroCopyPayloads() throws {
        let packet = ConnectPacket(
            protocolVersion: .v3_1_1,
            clientID: "c",
            username: "u",
            password: buffer("pw"),
            will: .init(topic: "t", payload: buffer("will"))
        )
        var input = ByteBuffer()
        try input.writeMQTTPacket(.connect(packet), version: .v3_1_1)
        let storage = input.withUnsafeReadableBytes {
            UInt(bitPattern: $0.baseAddress!)..<UInt(bitPattern: $0.baseAddress! + $0.count)
        }
        var decoder = MQTTPacketDecoder(role: .server)
        guard case .connect(let decoded) = try decoder.decodePacket(from: &input) else {
            Issue.record("not a CONNECT")
            return
        }
        for slice in [decoded.will!.payload, decoded.password!] {
            let address = slice.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress!) }
            #expect(storage.contains(address))
        }
    }

    // MARK: Byte-exact packets

    @Test("3.1.1 CONNECT, byte for byte")
    func exactV311() throws {
        let bytes: [UInt8] = [
            0x10, 0x0E, 0x00, 0x04, 0x4D, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3C, 0x00, 0x02, 0x63, 0x31,
        ]
        let packet = MQTTPacket.connect(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c1"))
        #expect(try expectRoundTrip(packet, version: .v3_1_1).bytes == bytes)
        #expect(try decodeOne(bytes, version: nil) == packet)
    }

    @Test("3.1 CONNECT (MQIsdp, level 3), byte for byte")
    func exactV31() throws {
        let bytes: [UInt8] =
            [0x10, 0x10, 0x00, 0x06] + Array("MQIsdp".utf8) + [0x03, 0x02, 0x00, 0x3C, 0x00, 0x02, 0x63, 0x31]
        let packet = MQTTPacket.connect(ConnectPacket(protocolVersion: .v3_1, clientID: "c1"))
        #expect(try expectRoundTrip(packet, version: .v3_1).bytes == bytes)
        #expect(try decodeOne(bytes, version: nil) == packet)
    }

    @Test("5.0 CONNECT with the flags of the spec's example (§3.1.2.12: 0xCE, Keep Alive 10, Session Expiry 10)")
    func exactV5() throws {
        let bytes =
            Wire.packet(
                0x10,
                Wire.string("MQTT"),
                [0x05, 0xCE, 0x00, 0x0A],
                [0x05, 0x11, 0x00, 0x00, 0x00, 0x0A],
                Wire.string("c1"),
                [0x00],  // Will Properties
                Wire.string("w/t"),
                Wire.binary([0x62, 0x79, 0x65]),
                Wire.string("user"),
                Wire.binary([0x70, 0x77])
            )
        let packet = MQTTPacket.connect(
            ConnectPacket(
                clientID: "c1",
                cleanStart: true,
                keepAlive: 10,
                username: "user",
                password: buffer("pw"),
                will: .init(topic: "w/t", payload: buffer("bye"), qos: .atLeastOnce),
                properties: [.sessionExpiryInterval(10)]
            )
        )
        #expect(try expectRoundTrip(packet, version: .v5).bytes == bytes)
        #expect(try decodeOne(bytes, version: nil) == packet)
    }

    // MARK: Version handling

    @Test("A server-role decoder learns the version from CONNECT and decodes the next packets in it")
    func serverLearnsVersion() throws {
        var stream = ByteBuffer()
        try stream.writeMQTTPacket(.connect(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c")), version: .v3_1_1)
        // A 3.1.1 PUBACK is two bytes of body; a 5.0 decoder would accept it too, but a 3.1.1 one
        // refuses the 5.0 form with a reason code, so this tells the versions apart.
        stream.writeBytes([0x40, 0x03, 0x00, 0x01, 0x10])
        var decoder = MQTTPacketDecoder(role: .server)
        #expect(decoder.protocolVersion == nil)
        #expect(try decoder.decodePacket(from: &stream)?.type == .connect)
        #expect(decoder.protocolVersion == .v3_1_1)
        #expect(throws: MQTTCodecError.self) { try decoder.decodePacket(from: &stream) }
    }

    @Test("A second CONNECT does not change the version (MQTT-3.1.0-2 is the broker's to report)")
    func secondConnectKeepsVersion() throws {
        var stream = ByteBuffer()
        try stream.writeMQTTPacket(.connect(ConnectPacket(protocolVersion: .v5, clientID: "c")), version: .v5)
        try stream.writeMQTTPacket(.connect(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c")), version: .v3_1_1)
        var decoder = MQTTPacketDecoder(role: .server)
        _ = try decoder.decodePacket(from: &stream)
        guard case .connect(let second) = try decoder.decodePacket(from: &stream) else {
            Issue.record("not a CONNECT")
            return
        }
        #expect(second.protocolVersion == .v3_1_1)
        #expect(decoder.protocolVersion == .v5)
    }

    @Test(
        "Unknown protocol levels and names are 0x84 on a CONNECT (MQTT-3.1.2-1, MQTT-3.1.2-2)",
        arguments: [
            ("MQTT", 6), ("MQTT", 3), ("MQTT", 0), ("MQIsdp", 4), ("MQIsdp", 5), ("mqtt", 4), ("HTTP", 4), ("", 5),
        ]
            as [(String, UInt8)]
    )
    func unsupportedProtocol(name: String, level: UInt8) {
        let bytes = Wire.packet(0x10, Self.body(name: name, level: level))
        let error = decodeError(bytes, version: nil)
        #expect(error?.reasonCode == .unsupportedProtocolVersion)
        #expect(error?.packetType == .connect)
        #expect(error?.protocolVersion == nil)
    }

    @Test("Errors after the protocol level carry the version, so the server can answer in it")
    func errorsCarryVersion() {
        let bytes = Wire.packet(0x10, Self.body(flags: 0x03))
        let error = decodeError(bytes, version: nil)
        #expect(error?.reasonCode == .malformedPacket)
        #expect(error?.packetType == .connect)
        #expect(error?.protocolVersion == .v5)
    }

    // MARK: Connect Flags, §3.1.2.3–§3.1.2.9

    @Test("The reserved flag must be 0 (MQTT-3.1.2-3)", arguments: [UInt8(3), 4, 5])
    func reservedFlag(level: UInt8) {
        let name = level == 3 ? "MQIsdp" : "MQTT"
        let properties: [UInt8] = level == 5 ? [0x00] : []
        expectDecodeError(
            Wire.packet(0x10, Self.body(name: name, level: level, flags: 0x03, properties: properties)),
            .malformedPacket,
            packetType: .connect,
            version: nil
        )
    }

    @Test(
        "Will QoS and Will Retain must be 0 without the Will Flag; Will QoS 3 is malformed (MQTT-3.1.2-11..13)",
        arguments: [0x02 | 0x08, 0x02 | 0x10, 0x02 | 0x18, 0x02 | 0x20, 0x02 | 0x04 | 0x18] as [UInt8]
    )
    func willFlags(flags: UInt8) {
        let payload = Wire.string("c1") + [0x00] + Wire.string("t") + Wire.binary([])
        expectDecodeError(
            Wire.packet(0x10, Self.body(flags: flags, payload: payload)),
            .malformedPacket,
            packetType: .connect,
            version: nil
        )
    }

    @Test("3.1 and 3.1.1 refuse a password without a user name (MQTT 3.1.1 MQTT-3.1.2-22)", arguments: [UInt8(3), 4])
    func passwordWithoutUsername(level: UInt8) {
        let name = level == 3 ? "MQIsdp" : "MQTT"
        let bytes = Wire.packet(
            0x10,
            Self.body(
                name: name,
                level: level,
                flags: 0x42,
                properties: [],
                payload: Wire.string("c") + Wire.binary([1])
            )
        )
        expectDecodeError(bytes, .malformedPacket, packetType: .connect, version: nil)
        expectEncodeError(
            .connect(
                ConnectPacket(protocolVersion: level == 3 ? .v3_1 : .v3_1_1, clientID: "c", password: buffer("p"))
            ),
            version: level == 3 ? .v3_1 : .v3_1_1,
            .malformedPacket
        )
    }

    @Test("A flag without its field, or a field without its flag, is malformed")
    func flagsAndFields() {
        // User Name Flag set, no user name.
        expectDecodeError(Wire.packet(0x10, Self.body(flags: 0x82)), .malformedPacket, version: nil)
        // Will Flag set, no Will Properties, topic or payload.
        expectDecodeError(Wire.packet(0x10, Self.body(flags: 0x06)), .malformedPacket, version: nil)
        // No flags, but a user name after the client identifier.
        expectDecodeError(
            Wire.packet(0x10, Self.body(payload: Wire.string("c1") + Wire.string("u"))),
            .malformedPacket,
            version: nil
        )
        // Cut inside the Keep Alive.
        expectDecodeError(Wire.packet(0x10, Wire.string("MQTT"), [0x05, 0x02, 0x00]), .malformedPacket, version: nil)
    }

    @Test("A Will Topic must be a valid Topic Name: 0x90 (§3.2.2.2, MQTT-4.7.0-1)", arguments: ["", "a/+", "#"])
    func invalidWillTopic(topic: String) {
        let payload = Wire.string("c1") + [0x00] + Wire.string(topic) + Wire.binary([])
        expectDecodeError(
            Wire.packet(0x10, Self.body(flags: 0x06, payload: payload)),
            .topicNameInvalid,
            packetType: .connect,
            version: nil
        )
        let will = ConnectPacket.Will(topic: topic, payload: ByteBuffer())
        expectEncodeError(.connect(ConnectPacket(clientID: "c", will: will)), version: .v5, .topicNameInvalid)
    }

    @Test("Ill-formed UTF-8 in the client identifier is malformed (MQTT-1.5.4-1)")
    func illFormedClientID() {
        expectDecodeError(
            Wire.packet(0x10, Self.body(payload: Wire.binary([0x63, 0xED, 0xA0, 0x80]))),
            .malformedPacket,
            version: nil
        )
    }

    @Test("Authentication Data without Authentication Method is a Protocol Error (§3.1.2.11.10)")
    func authenticationDataWithoutMethod() {
        expectDecodeError(
            Wire.packet(0x10, Self.body(properties: Wire.properties([0x16] + Wire.binary([1])))),
            .protocolError,
            packetType: .connect,
            version: nil
        )
        let packet = ConnectPacket(clientID: "c", properties: [.authenticationData(buffer("x"))])
        expectEncodeError(.connect(packet), version: .v5, .protocolError)
    }

    @Test("The encoder refuses a CONNECT written in another version than it announces")
    func versionMismatch() {
        expectEncodeError(
            .connect(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c")),
            version: .v5,
            .protocolError
        )
    }

    @Test("The encoder refuses fields longer than 65,535 bytes (§1.5.4, §1.5.6)")
    func oversizedFields() {
        let long = String(repeating: "a", count: 65_536)
        expectEncodeError(.connect(ConnectPacket(clientID: long)), version: .v5, .malformedPacket)
        expectEncodeError(
            .connect(ConnectPacket(clientID: "c", username: "u", password: ByteBuffer(repeating: 0, count: 65_536))),
            version: .v5,
            .malformedPacket
        )
        let will = ConnectPacket.Will(topic: "t", payload: ByteBuffer(repeating: 0, count: 65_536))
        expectEncodeError(.connect(ConnectPacket(clientID: "c", will: will)), version: .v5, .malformedPacket)
    }
}
