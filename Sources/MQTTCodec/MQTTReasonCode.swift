/// A reason code of MQTT 5.0 (§2.4), also used as the common vocabulary for 3.1.1 return codes.
///
/// A struct rather than an enum because the same byte has different names in different packets
/// (0x00 is "Success", "Normal disconnection" and "Granted QoS 0"), and because a peer may send a
/// code this version does not know, which must still be carried and reported.
public struct MQTTReasonCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8

    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Codes below 0x80 report success; 0x80 and above report failure (MQTT 5.0 §2.4).
    @inlinable
    public var isFailure: Bool { rawValue >= 0x80 }

    public static let success = Self(rawValue: 0x00)
    public static let normalDisconnection = Self(rawValue: 0x00)
    public static let grantedQoS0 = Self(rawValue: 0x00)
    public static let grantedQoS1 = Self(rawValue: 0x01)
    public static let grantedQoS2 = Self(rawValue: 0x02)
    public static let disconnectWithWillMessage = Self(rawValue: 0x04)
    public static let noMatchingSubscribers = Self(rawValue: 0x10)
    public static let noSubscriptionExisted = Self(rawValue: 0x11)
    public static let continueAuthentication = Self(rawValue: 0x18)
    public static let reAuthenticate = Self(rawValue: 0x19)
    public static let unspecifiedError = Self(rawValue: 0x80)
    public static let malformedPacket = Self(rawValue: 0x81)
    public static let protocolError = Self(rawValue: 0x82)
    public static let implementationSpecificError = Self(rawValue: 0x83)
    public static let unsupportedProtocolVersion = Self(rawValue: 0x84)
    public static let clientIdentifierNotValid = Self(rawValue: 0x85)
    public static let badUserNameOrPassword = Self(rawValue: 0x86)
    public static let notAuthorized = Self(rawValue: 0x87)
    public static let serverUnavailable = Self(rawValue: 0x88)
    public static let serverBusy = Self(rawValue: 0x89)
    public static let banned = Self(rawValue: 0x8A)
    public static let serverShuttingDown = Self(rawValue: 0x8B)
    public static let badAuthenticationMethod = Self(rawValue: 0x8C)
    public static let keepAliveTimeout = Self(rawValue: 0x8D)
    public static let sessionTakenOver = Self(rawValue: 0x8E)
    public static let topicFilterInvalid = Self(rawValue: 0x8F)
    public static let topicNameInvalid = Self(rawValue: 0x90)
    public static let packetIdentifierInUse = Self(rawValue: 0x91)
    public static let packetIdentifierNotFound = Self(rawValue: 0x92)
    public static let receiveMaximumExceeded = Self(rawValue: 0x93)
    public static let topicAliasInvalid = Self(rawValue: 0x94)
    public static let packetTooLarge = Self(rawValue: 0x95)
    public static let messageRateTooHigh = Self(rawValue: 0x96)
    public static let quotaExceeded = Self(rawValue: 0x97)
    public static let administrativeAction = Self(rawValue: 0x98)
    public static let payloadFormatInvalid = Self(rawValue: 0x99)
    public static let retainNotSupported = Self(rawValue: 0x9A)
    public static let qosNotSupported = Self(rawValue: 0x9B)
    public static let useAnotherServer = Self(rawValue: 0x9C)
    public static let serverMoved = Self(rawValue: 0x9D)
    public static let sharedSubscriptionsNotSupported = Self(rawValue: 0x9E)
    public static let connectionRateExceeded = Self(rawValue: 0x9F)
    public static let maximumConnectTime = Self(rawValue: 0xA0)
    public static let subscriptionIdentifiersNotSupported = Self(rawValue: 0xA1)
    public static let wildcardSubscriptionsNotSupported = Self(rawValue: 0xA2)

    /// The granted-QoS code of a SUBACK.
    @inlinable
    public static func granted(_ qos: QoS) -> Self { Self(rawValue: qos.rawValue) }

    public var description: String {
        let name: String
        switch rawValue {
        case 0x00: name = "Success"
        case 0x01: name = "Granted QoS 1"
        case 0x02: name = "Granted QoS 2"
        case 0x04: name = "Disconnect with Will Message"
        case 0x10: name = "No matching subscribers"
        case 0x11: name = "No subscription existed"
        case 0x18: name = "Continue authentication"
        case 0x19: name = "Re-authenticate"
        case 0x80: name = "Unspecified error"
        case 0x81: name = "Malformed Packet"
        case 0x82: name = "Protocol Error"
        case 0x83: name = "Implementation specific error"
        case 0x84: name = "Unsupported Protocol Version"
        case 0x85: name = "Client Identifier not valid"
        case 0x86: name = "Bad User Name or Password"
        case 0x87: name = "Not authorized"
        case 0x88: name = "Server unavailable"
        case 0x89: name = "Server busy"
        case 0x8A: name = "Banned"
        case 0x8B: name = "Server shutting down"
        case 0x8C: name = "Bad authentication method"
        case 0x8D: name = "Keep Alive timeout"
        case 0x8E: name = "Session taken over"
        case 0x8F: name = "Topic Filter invalid"
        case 0x90: name = "Topic Name invalid"
        case 0x91: name = "Packet Identifier in use"
        case 0x92: name = "Packet Identifier not found"
        case 0x93: name = "Receive Maximum exceeded"
        case 0x94: name = "Topic Alias invalid"
        case 0x95: name = "Packet too large"
        case 0x96: name = "Message rate too high"
        case 0x97: name = "Quota exceeded"
        case 0x98: name = "Administrative action"
        case 0x99: name = "Payload format invalid"
        case 0x9A: name = "Retain not supported"
        case 0x9B: name = "QoS not supported"
        case 0x9C: name = "Use another server"
        case 0x9D: name = "Server moved"
        case 0x9E: name = "Shared Subscriptions not supported"
        case 0x9F: name = "Connection rate exceeded"
        case 0xA0: name = "Maximum connect time"
        case 0xA1: name = "Subscription Identifiers not supported"
        case 0xA2: name = "Wildcard Subscriptions not supported"
        default: name = "Unknown"
        }
        return "\(name) (0x\(String(rawValue, radix: 16, uppercase: true)))"
    }
}
