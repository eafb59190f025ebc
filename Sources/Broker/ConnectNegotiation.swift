import BrokerCore
import MQTTCodec
import NIOCore

/// What the broker and a client agreed on in CONNECT/CONNACK.
struct NegotiatedConnection: Sendable {
    var protocolVersion: MQTTProtocolVersion
    var clientID: String
    var cleanStart: Bool
    /// Seconds; 0 means no keep-alive. The server's value when it overrode the client's.
    var keepAlive: UInt16
    /// Seconds the session outlives the connection; 0xFFFFFFFF never expires.
    var sessionExpiryInterval: UInt32
    /// Was the session expiry 0 in CONNECT? DISCONNECT may not raise it then (MQTT-3.14.2-2).
    var connectSessionExpiryWasZero: Bool
    /// How many outgoing QoS 1/2 messages may be unacknowledged (client's Receive Maximum,
    /// capped by the broker's `maximumInflightOutgoing`).
    var outgoingWindow: Int
    /// Largest packet the client accepts (MQTT-3.1.2-24); nil when it set no limit.
    var clientMaximumPacketSize: Int?
    /// Topic aliases the client accepts from the broker.
    var clientTopicAliasMaximum: UInt16
    /// Whether reason strings and user properties may be sent on failures (MQTT-3.1.2-29).
    var requestProblemInformation: Bool
    var will: ConnectPacket.Will?
    /// Will Delay Interval in seconds (MQTT 5.0 §3.1.3.2.2).
    var willDelayInterval: UInt32
    /// The CONNACK to send on success.
    var connack: ConnAckPacket
}

/// Decides the answer to a CONNECT: the pure part of connection set-up.
struct ConnectNegotiation {
    var configuration: BrokerConfiguration
    /// Makes a client identifier for clients that sent none (MQTT-3.1.3-6).
    var makeClientID: () -> String

    enum Outcome {
        case accepted(NegotiatedConnection)
        /// The CONNACK that refuses the connection.
        case refused(ConnAckPacket)
    }

    func negotiate(_ connect: ConnectPacket) -> Outcome {
        let version = connect.protocolVersion
        let isV5 = version == .v5
        var connackProperties = MQTTProperties()

        // Client identifier (MQTT 5.0 §3.1.3.1, MQTT 3.1.1 §3.1.3.1).
        var clientID = connect.clientID
        if clientID.isEmpty {
            switch version {
            case .v5:
                clientID = makeClientID()
                connackProperties.assignedClientIdentifier = clientID
            case .v3_1_1:
                // A 3.1.1 client with no id must ask for a clean session (MQTT-3.1.3-7/-8).
                guard connect.cleanStart else { return .refused(refusal(.clientIdentifierNotValid, version)) }
                clientID = makeClientID()
            case .v3_1:
                // MQTT 3.1 requires 1 to 23 characters; longer ids are accepted as Mosquitto does.
                return .refused(refusal(.clientIdentifierNotValid, version))
            }
        }

        // Enhanced authentication (AUTH, MQTT 5.0 §4.12) is not offered.
        if isV5, connect.properties.authenticationMethod != nil {
            return .refused(refusal(.badAuthenticationMethod, version))
        }

        // Will (MQTT 5.0 §3.1.2.5, §3.1.3.2-3).
        if let will = connect.will {
            if TopicName.validate(will.topic, limits: configuration.topicLimits) != nil {
                return .refused(refusal(.topicNameInvalid, version))
            }
            if isV5, will.properties.payloadFormat == .utf8, !will.payload.isValidUTF8 {
                return .refused(refusal(.payloadFormatInvalid, version))
            }
        }

        // Keep alive: a v5 client can be told to use the server's value (MQTT-3.2.2-21).
        var keepAlive = connect.keepAlive
        let maximumKeepAlive = configuration.maximumKeepAlive
        if isV5, maximumKeepAlive != UInt16.max, keepAlive == 0 || keepAlive > maximumKeepAlive {
            keepAlive = maximumKeepAlive
            connackProperties.serverKeepAlive = keepAlive
        }

        // Session expiry (MQTT 5.0 §3.1.2.11.2); 3.1.1 only knows Clean Session.
        var sessionExpiry: UInt32
        let requestedExpiry = connect.properties.sessionExpiryInterval ?? 0
        if isV5 {
            sessionExpiry = min(requestedExpiry, configuration.maximumSessionExpiry)
            if sessionExpiry != requestedExpiry {
                connackProperties.sessionExpiryInterval = sessionExpiry
            }
        } else {
            sessionExpiry = connect.cleanStart ? 0 : configuration.persistentSessionExpiry
        }

        let clientReceiveMaximum = Int(connect.properties.receiveMaximum ?? UInt16.max)
        let outgoingWindow = min(isV5 ? clientReceiveMaximum : Int.max, configuration.maximumInflightOutgoing)

        if isV5 {
            connackProperties.receiveMaximum = configuration.receiveMaximum
            connackProperties.maximumPacketSize = UInt32(configuration.maximumPacketSize)
            connackProperties.topicAliasMaximum = configuration.topicAliasMaximum
            if connect.properties.requestResponseInformation == true {
                connackProperties.responseInformation = configuration.responseInformationPrefix + clientID
            }
        }

        return .accepted(
            NegotiatedConnection(
                protocolVersion: version,
                clientID: clientID,
                cleanStart: connect.cleanStart,
                keepAlive: keepAlive,
                sessionExpiryInterval: sessionExpiry,
                connectSessionExpiryWasZero: requestedExpiry == 0,
                outgoingWindow: max(1, outgoingWindow),
                clientMaximumPacketSize: connect.properties.maximumPacketSize.map { Int($0) },
                clientTopicAliasMaximum: isV5 ? (connect.properties.topicAliasMaximum ?? 0) : 0,
                requestProblemInformation: connect.properties.requestProblemInformation ?? true,
                will: connect.will,
                willDelayInterval: isV5 ? (connect.will?.properties.willDelayInterval ?? 0) : 0,
                connack: ConnAckPacket(sessionPresent: false, reasonCode: .success, properties: connackProperties)
            )
        )
    }

    private func refusal(_ code: MQTTReasonCode, _ version: MQTTProtocolVersion) -> ConnAckPacket {
        // MQTT-3.2.2-6: a refusing CONNACK has Session Present 0.
        ConnAckPacket(sessionPresent: false, reasonCode: code)
    }
}

extension ByteBuffer {
    /// Whether the readable bytes are well-formed UTF-8 (for Payload Format Indicator 1).
    var isValidUTF8: Bool {
        withUnsafeReadableBytes { bytes in
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }
}
