import MQTTCodec
import NIOCore
import Testing

@Suite("CONNACK (MQTT 5.0 §3.2, MQTT 3.1.1 §3.2)")
struct ConnAckTests {
    @Test("Round trips in every version", arguments: MQTTProtocolVersion.allCases)
    func roundTrips(version: MQTTProtocolVersion) throws {
        for code in [
            MQTTReasonCode.success, .unsupportedProtocolVersion, .clientIdentifierNotValid, .serverUnavailable,
            .badUserNameOrPassword, .notAuthorized,
        ] {
            try expectRoundTrip(.connack(ConnAckPacket(reasonCode: code)), version: version)
        }
        try expectRoundTrip(.connack(ConnAckPacket(sessionPresent: true)), version: version)
    }

    @Test("5.0 carries every reason code as it is, and properties")
    func v5ReasonCodes() throws {
        for raw in [
            0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A,
            0x9B, 0x9C, 0x9D, 0x9F,
        ] as [UInt8] {
            try expectRoundTrip(.connack(ConnAckPacket(reasonCode: MQTTReasonCode(rawValue: raw))), version: .v5)
        }
        let properties: MQTTProperties = [
            .sessionExpiryInterval(60), .receiveMaximum(100), .maximumQoS(1), .retainAvailable(0),
            .maximumPacketSize(65_536), .assignedClientIdentifier("auto-7"), .topicAliasMaximum(16),
            .reasonString("welcome"), .userProperty(name: "region", value: "eu"), .wildcardSubscriptionAvailable(1),
            .subscriptionIdentifierAvailable(0), .sharedSubscriptionAvailable(1), .serverKeepAlive(120),
            .responseInformation("resp/"), .serverReference("b:1883"), .authenticationMethod("m"),
            .authenticationData(buffer("d")),
        ]
        try expectRoundTrip(.connack(ConnAckPacket(sessionPresent: true, properties: properties)), version: .v5)
    }

    @Test("5.0 reason codes map to the 3.1.1 return codes and back (MQTT 3.1.1 §3.2.2.3)")
    func returnCodeMapping() throws {
        let mapping: [(MQTTReasonCode, UInt8, MQTTReasonCode)] = [
            (.success, 0, .success),
            (.unsupportedProtocolVersion, 1, .unsupportedProtocolVersion),
            (.clientIdentifierNotValid, 2, .clientIdentifierNotValid),
            (.serverUnavailable, 3, .serverUnavailable),
            (.serverBusy, 3, .serverUnavailable),
            (.serverShuttingDown, 3, .serverUnavailable),
            (.unspecifiedError, 3, .serverUnavailable),
            (.implementationSpecificError, 3, .serverUnavailable),
            (.quotaExceeded, 3, .serverUnavailable),
            (.useAnotherServer, 3, .serverUnavailable),
            (.serverMoved, 3, .serverUnavailable),
            (.connectionRateExceeded, 3, .serverUnavailable),
            (.badUserNameOrPassword, 4, .badUserNameOrPassword),
            (.badAuthenticationMethod, 4, .badUserNameOrPassword),
            (.notAuthorized, 5, .notAuthorized),
            (.banned, 5, .notAuthorized),
        ]
        for (code, returnCode, back) in mapping {
            #expect(code.connectReturnCode == returnCode)
            #expect(MQTTReasonCode(connectReturnCode: returnCode) == back)
            for version in [MQTTProtocolVersion.v3_1, .v3_1_1] {
                let encoded = try expectRoundTrip(
                    .connack(ConnAckPacket(reasonCode: code)),
                    version: version,
                    expected: .connack(ConnAckPacket(reasonCode: back))
                )
                #expect(encoded.bytes == [0x20, 0x02, 0x00, returnCode])
            }
        }
    }

    @Test(
        "Codes without a 3.1.1 return code are refused: the server closes without CONNACK (MQTT 3.1.1 MQTT-3.2.2-6)",
        arguments: [0x81, 0x82, 0x90, 0x95, 0x99, 0x9A, 0x9B, 0x01, 0x10] as [UInt8]
    )
    func unmappableCodes(raw: UInt8) {
        #expect(MQTTReasonCode(rawValue: raw).connectReturnCode == nil)
        expectEncodeError(
            .connack(ConnAckPacket(reasonCode: MQTTReasonCode(rawValue: raw))),
            version: .v3_1_1,
            .protocolError
        )
    }

    @Test("Byte-exact CONNACKs")
    func exactBytes() throws {
        #expect(
            try expectRoundTrip(.connack(ConnAckPacket(sessionPresent: true)), version: .v3_1_1).bytes == [
                0x20, 0x02, 0x01, 0x00,
            ]
        )
        #expect(try expectRoundTrip(.connack(ConnAckPacket()), version: .v5).bytes == [0x20, 0x03, 0x00, 0x00, 0x00])
        #expect(
            try expectRoundTrip(
                .connack(ConnAckPacket(reasonCode: .notAuthorized, properties: [.reasonString("no")])),
                version: .v5
            ).bytes
                == [0x20, 0x08, 0x00, 0x87, 0x05, 0x1F, 0x00, 0x02, 0x6E, 0x6F]
        )
    }

    @Test("Reserved acknowledge flags are malformed (MQTT-3.2.2-1)", arguments: [UInt8(0x02), 0x80, 0xFF])
    func reservedFlags(flags: UInt8) {
        expectDecodeError([0x20, 0x03, flags, 0x00, 0x00], .malformedPacket, packetType: .connack, role: .client)
        expectDecodeError(
            [0x20, 0x02, flags, 0x00],
            .malformedPacket,
            packetType: .connack,
            role: .client,
            version: .v3_1_1
        )
    }

    @Test("Session Present with a failure is a Protocol Error (MQTT-3.2.2-6; 3.1.1 MQTT-3.2.2-4)")
    func sessionPresentWithFailure() {
        expectDecodeError([0x20, 0x03, 0x01, 0x87, 0x00], .protocolError, role: .client)
        expectDecodeError([0x20, 0x02, 0x01, 0x05], .protocolError, role: .client, version: .v3_1_1)
        expectEncodeError(
            .connack(ConnAckPacket(sessionPresent: true, reasonCode: .notAuthorized)),
            version: .v5,
            .protocolError
        )
    }

    @Test("Reserved 3.1.1 return codes are refused", arguments: [UInt8(6), 0x80, 0xFF])
    func reservedReturnCodes(code: UInt8) {
        expectDecodeError([0x20, 0x02, 0x00, code], .protocolError, role: .client, version: .v3_1_1)
    }

    @Test("A 5.0 CONNACK needs its Property Length; a 3.1.1 CONNACK has none")
    func lengths() {
        expectDecodeError([0x20, 0x02, 0x00, 0x00], .malformedPacket, role: .client)
        expectDecodeError([0x20, 0x03, 0x00, 0x00, 0x00], .malformedPacket, role: .client, version: .v3_1_1)
    }
}
