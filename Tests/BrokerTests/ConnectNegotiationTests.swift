import MQTTCodec
import NIOCore
import Testing

@testable import Broker

@Suite struct ConnectNegotiationTests {
    private func negotiate(
        _ connect: ConnectPacket,
        configure: (inout BrokerConfiguration) -> Void = { _ in }
    ) -> ConnectNegotiation.Outcome {
        var configuration = BrokerConfiguration()
        configure(&configuration)
        return ConnectNegotiation(configuration: configuration, makeClientID: { "assigned-1" }).negotiate(connect)
    }

    private func accepted(_ outcome: ConnectNegotiation.Outcome) -> NegotiatedConnection? {
        if case .accepted(let negotiated) = outcome { return negotiated }
        Issue.record("expected the connection to be accepted, got \(outcome)")
        return nil
    }

    private func refusalCode(_ outcome: ConnectNegotiation.Outcome) -> MQTTReasonCode? {
        if case .refused(let connack) = outcome {
            #expect(!connack.sessionPresent)  // MQTT-3.2.2-6
            return connack.reasonCode
        }
        return nil
    }

    @Test func v5ClientWithoutIdentifierGetsOneAssigned() {
        let result = accepted(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "")))
        #expect(result?.clientID == "assigned-1")
        #expect(result?.connack.properties.assignedClientIdentifier == "assigned-1")
    }

    @Test func v311ClientWithoutIdentifierNeedsCleanSession() {
        #expect(
            accepted(negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "", cleanStart: true)))?.clientID
                == "assigned-1"
        )
        let refused = negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "", cleanStart: false))
        #expect(refusalCode(refused) == .clientIdentifierNotValid)  // MQTT-3.1.3-8
        // 3.1.1 has no Assigned Client Identifier property.
        #expect(
            accepted(negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "")))?.connack.properties.isEmpty
                == true
        )
    }

    @Test func v31RequiresAnIdentifier() {
        #expect(
            refusalCode(negotiate(ConnectPacket(protocolVersion: .v3_1, clientID: ""))) == .clientIdentifierNotValid
        )
    }

    @Test func enhancedAuthenticationIsRefused() {
        var properties = MQTTProperties()
        properties.authenticationMethod = "SCRAM-SHA-256"
        let connect = ConnectPacket(protocolVersion: .v5, clientID: "c", properties: properties)
        #expect(refusalCode(negotiate(connect)) == .badAuthenticationMethod)
    }

    @Test func willTopicMustBeValid() {
        let will = ConnectPacket.Will(topic: "bad/+/topic", payload: ByteBuffer(string: "x"))
        #expect(
            refusalCode(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", will: will))) == .topicNameInvalid
        )
    }

    @Test func willWithUTF8FormatMustHaveUTF8Payload() {
        var properties = MQTTProperties()
        properties.payloadFormat = .utf8
        let will = ConnectPacket.Will(topic: "w", payload: ByteBuffer(bytes: [0xFF, 0xFE]), properties: properties)
        #expect(
            refusalCode(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", will: will)))
                == .payloadFormatInvalid
        )
    }

    @Test func serverKeepAliveOverridesZeroAndTooLongForV5Only() {
        let configure: (inout BrokerConfiguration) -> Void = { $0.maximumKeepAlive = 120 }
        let zero = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", keepAlive: 0), configure: configure)
        )
        #expect(zero?.keepAlive == 120)
        #expect(zero?.connack.properties.serverKeepAlive == 120)
        let long = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", keepAlive: 600), configure: configure)
        )
        #expect(long?.keepAlive == 120)
        let fine = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", keepAlive: 30), configure: configure)
        )
        #expect(fine?.keepAlive == 30)
        #expect(fine?.connack.properties.serverKeepAlive == nil)
        let old = accepted(
            negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c", keepAlive: 600), configure: configure)
        )
        #expect(old?.keepAlive == 600)
    }

    @Test func sessionExpiryFollowsVersionRules() {
        var properties = MQTTProperties()
        properties.sessionExpiryInterval = 3_600
        let capped = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", properties: properties)) {
                $0.maximumSessionExpiry = 60
            }
        )
        #expect(capped?.sessionExpiryInterval == 60)
        #expect(capped?.connack.properties.sessionExpiryInterval == 60)
        #expect(capped?.connectSessionExpiryWasZero == false)

        let none = accepted(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c")))
        #expect(none?.sessionExpiryInterval == 0)
        #expect(none?.connectSessionExpiryWasZero == true)

        let persistent311 = accepted(
            negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c", cleanStart: false))
        )
        #expect(persistent311?.sessionExpiryInterval == UInt32.max)
        let clean311 = accepted(negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c", cleanStart: true)))
        #expect(clean311?.sessionExpiryInterval == 0)
    }

    @Test func outgoingWindowIsTheSmallerOfClientReceiveMaximumAndBrokerLimit() {
        var properties = MQTTProperties()
        properties.receiveMaximum = 10
        let small = accepted(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", properties: properties)))
        #expect(small?.outgoingWindow == 10)
        let large = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c")) { $0.maximumInflightOutgoing = 50 }
        )
        #expect(large?.outgoingWindow == 50)
        let old = accepted(
            negotiate(ConnectPacket(protocolVersion: .v3_1_1, clientID: "c")) { $0.maximumInflightOutgoing = 7 }
        )
        #expect(old?.outgoingWindow == 7)
    }

    @Test func connackAnnouncesBrokerLimitsToV5Clients() {
        let result = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c")) {
                $0.receiveMaximum = 33
                $0.maximumPacketSize = 4_096
                $0.topicAliasMaximum = 9
            }
        )
        #expect(result?.connack.properties.receiveMaximum == 33)
        #expect(result?.connack.properties.maximumPacketSize == 4_096)
        #expect(result?.connack.properties.topicAliasMaximum == 9)
    }

    @Test func responseInformationOnlyWhenRequested() {
        var properties = MQTTProperties()
        properties.requestResponseInformation = true
        let asked = accepted(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "dev-7", properties: properties)))
        #expect(asked?.connack.properties.responseInformation == "response/dev-7")
        let notAsked = accepted(negotiate(ConnectPacket(protocolVersion: .v5, clientID: "dev-7")))
        #expect(notAsked?.connack.properties.responseInformation == nil)
    }

    @Test func clientLimitsAreRecorded() {
        var properties = MQTTProperties()
        properties.maximumPacketSize = 512
        properties.topicAliasMaximum = 5
        properties.requestProblemInformation = false
        var willProperties = MQTTProperties()
        willProperties.willDelayInterval = 30
        let will = ConnectPacket.Will(topic: "w", payload: ByteBuffer(string: "gone"), properties: willProperties)
        let result = accepted(
            negotiate(ConnectPacket(protocolVersion: .v5, clientID: "c", will: will, properties: properties))
        )
        #expect(result?.clientMaximumPacketSize == 512)
        #expect(result?.clientTopicAliasMaximum == 5)
        #expect(result?.requestProblemInformation == false)
        #expect(result?.willDelayInterval == 30)
    }
}
