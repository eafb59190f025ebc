import MQTTCodec
import NIOCore
import Testing

@Suite("DISCONNECT, AUTH, PINGREQ, PINGRESP (MQTT 5.0 §3.12–§3.15)")
struct DisconnectAuthPingTests {
    @Test("PINGREQ and PINGRESP are two bytes in every version", arguments: MQTTProtocolVersion.allCases)
    func ping(version: MQTTProtocolVersion) throws {
        #expect(try expectRoundTrip(.pingreq, version: version).bytes == [0xC0, 0x00])
        #expect(try expectRoundTrip(.pingresp, version: version).bytes == [0xD0, 0x00])
        expectDecodeError([0xC0, 0x01, 0x00], .malformedPacket, packetType: .pingreq, version: version)
        expectDecodeError([0xD0, 0x01, 0x00], .malformedPacket, packetType: .pingresp, role: .client, version: version)
        expectDecodeError([0xC1, 0x00], .malformedPacket, packetType: .pingreq, version: version)
        expectDecodeError([0xD8, 0x00], .malformedPacket, packetType: .pingresp, role: .client, version: version)
    }

    // MARK: DISCONNECT

    @Test(
        "3.1/3.1.1 DISCONNECT has no variable header (MQTT 3.1.1 §3.14)",
        arguments: [MQTTProtocolVersion.v3_1, .v3_1_1]
    )
    func v3Disconnect(version: MQTTProtocolVersion) throws {
        #expect(try expectRoundTrip(.disconnect(DisconnectPacket()), version: version).bytes == [0xE0, 0x00])
        expectDecodeError([0xE0, 0x01, 0x00], .malformedPacket, packetType: .disconnect, version: version)
        // A server never sends one in 3.1.1, and the codec cannot say why in 3.1.1.
        expectDecodeError([0xE0, 0x00], .protocolError, packetType: .disconnect, role: .client, version: version)
        expectEncodeError(
            .disconnect(DisconnectPacket(reasonCode: .serverShuttingDown)),
            version: version,
            .protocolError
        )
        expectEncodeError(
            .disconnect(DisconnectPacket(reasonCode: .disconnectWithWillMessage)),
            version: version,
            .protocolError
        )
    }

    @Test("5.0 DISCONNECT in its three forms (§3.14.2.1, §3.14.2.2.1)")
    func v5Disconnect() throws {
        #expect(try expectRoundTrip(.disconnect(DisconnectPacket()), version: .v5).bytes == [0xE0, 0x00])
        #expect(
            try expectRoundTrip(.disconnect(DisconnectPacket(reasonCode: .sessionTakenOver)), version: .v5).bytes
                == [0xE0, 0x01, 0x8E]
        )
        let properties: MQTTProperties = [
            .reasonString("maintenance"), .serverReference("other:1883"), .userProperty(name: "a", value: "b"),
        ]
        try expectRoundTrip(
            .disconnect(DisconnectPacket(reasonCode: .useAnotherServer, properties: properties)),
            version: .v5
        )
        try expectRoundTrip(.disconnect(DisconnectPacket(properties: [.sessionExpiryInterval(0)])), version: .v5)
        #expect(try decodeOne([0xE0, 0x02, 0x00, 0x00]) == .disconnect(DisconnectPacket()))
    }

    @Test("A server must not send Session Expiry Interval on DISCONNECT (MQTT-3.14.2-2)")
    func serverSessionExpiry() throws {
        let bytes: [UInt8] = [0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x0A]
        expectDecodeError(bytes, .protocolError, packetType: .disconnect, role: .client)
        #expect(
            try decodeOne(bytes, role: .server)
                == .disconnect(DisconnectPacket(properties: [.sessionExpiryInterval(10)]))
        )
    }

    @Test("DISCONNECT flags must be 0 (MQTT-3.14.1-1)", arguments: [UInt8(0xE1), 0xE2, 0xE8])
    func disconnectFlags(firstByte: UInt8) {
        expectDecodeError([firstByte, 0x00], .malformedPacket, packetType: .disconnect)
    }

    // MARK: AUTH

    @Test("AUTH round trips (§3.15)")
    func authRoundTrips() throws {
        #expect(try expectRoundTrip(.auth(AuthPacket()), version: .v5).bytes == [0xF0, 0x00])
        let bytes: [UInt8] = [0xF0, 0x0A, 0x18, 0x08, 0x15, 0x00, 0x05, 0x53, 0x43, 0x52, 0x41, 0x4D]
        let packet = MQTTPacket.auth(
            AuthPacket(reasonCode: .continueAuthentication, properties: [.authenticationMethod("SCRAM")])
        )
        #expect(try expectRoundTrip(packet, version: .v5).bytes == bytes)
        #expect(try decodeOne(bytes) == packet)
        let full = AuthPacket(
            reasonCode: .reAuthenticate,
            properties: [
                .authenticationMethod("SCRAM"), .authenticationData(buffer("n,,n=user")), .reasonString("r"),
                .userProperty(name: "a", value: "b"),
            ]
        )
        try expectRoundTrip(.auth(full), version: .v5)
        try expectRoundTrip(.auth(AuthPacket(properties: [.authenticationMethod("SCRAM")])), version: .v5)
        // Success with an empty property list, written out in full, is the abbreviated form.
        #expect(try decodeOne([0xF0, 0x02, 0x00, 0x00]) == .auth(AuthPacket()))
    }

    @Test("AUTH without Authentication Method is a Protocol Error, except the abbreviated Success (§3.15.2.2.2)")
    func authWithoutMethod() {
        expectDecodeError([0xF0, 0x01, 0x18], .protocolError, packetType: .auth)
        expectDecodeError([0xF0, 0x02, 0x18, 0x00], .protocolError, packetType: .auth)
        expectDecodeError([0xF0, 0x06, 0x18, 0x04, 0x1F, 0x00, 0x01, 0x72], .protocolError, packetType: .auth)
        expectEncodeError(.auth(AuthPacket(reasonCode: .continueAuthentication)), version: .v5, .protocolError)
    }

    @Test(
        "AUTH does not exist in 3.1/3.1.1: malformed (type 15 is reserved)",
        arguments: [MQTTProtocolVersion.v3_1, .v3_1_1]
    )
    func authIn3(version: MQTTProtocolVersion) {
        expectDecodeError([0xF0, 0x00], .malformedPacket, packetType: .auth, version: version)
        expectDecodeError([0xF0, 0x00], .malformedPacket, packetType: .auth, role: .client, version: version)
        expectEncodeError(.auth(AuthPacket()), version: version, .malformedPacket)
    }

    @Test("AUTH flags must be 0 (MQTT-3.15.1-1)", arguments: [UInt8(0xF1), 0xF2, 0xFF])
    func authFlags(firstByte: UInt8) {
        expectDecodeError([firstByte, 0x00], .malformedPacket, packetType: .auth)
    }
}
