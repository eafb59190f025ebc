/// Where a property list sits in a packet. Each place has its own allow-list (MQTT 5.0 §2.2.2.2,
/// Table 2-4): "A Control Packet which contains an Identifier which is not valid for its packet
/// type [...] is a Malformed Packet."
enum MQTTPropertyContext: Sendable, Hashable, CustomStringConvertible {
    case connect
    /// The Will Properties in the CONNECT payload (§3.1.3.2).
    case will
    case connack
    case publish
    case puback
    case pubrec
    case pubrel
    case pubcomp
    case subscribe
    case suback
    case unsubscribe
    case unsuback
    case disconnect
    case auth

    /// The packet that carries the list.
    var packetType: MQTTPacketType {
        switch self {
        case .connect, .will: .connect
        case .connack: .connack
        case .publish: .publish
        case .puback: .puback
        case .pubrec: .pubrec
        case .pubrel: .pubrel
        case .pubcomp: .pubcomp
        case .subscribe: .subscribe
        case .suback: .suback
        case .unsubscribe: .unsubscribe
        case .unsuback: .unsuback
        case .disconnect: .disconnect
        case .auth: .auth
        }
    }

    var description: String {
        switch self {
        case .will: "Will Properties"
        case .connect, .connack, .publish, .puback, .pubrec, .pubrel, .pubcomp, .subscribe, .suback, .unsubscribe,
            .unsuback, .disconnect, .auth:
            "\(self.packetType) properties"
        }
    }

    /// Whether `identifier` may appear here at all (MQTT 5.0 §2.2.2.2, Table 2-4).
    func allows(_ identifier: MQTTPropertyIdentifier) -> Bool {
        switch identifier {
        case .payloadFormatIndicator, .messageExpiryInterval, .contentType, .responseTopic, .correlationData:
            self == .publish || self == .will
        case .subscriptionIdentifier:
            self == .publish || self == .subscribe
        case .sessionExpiryInterval:
            self == .connect || self == .connack || self == .disconnect
        case .assignedClientIdentifier, .serverKeepAlive, .responseInformation, .maximumQoS, .retainAvailable,
            .wildcardSubscriptionAvailable, .subscriptionIdentifierAvailable, .sharedSubscriptionAvailable:
            self == .connack
        case .authenticationMethod, .authenticationData:
            self == .connect || self == .connack || self == .auth
        case .requestProblemInformation, .requestResponseInformation:
            self == .connect
        case .willDelayInterval:
            self == .will
        case .serverReference:
            self == .connack || self == .disconnect
        case .reasonString:
            switch self {
            case .connack, .puback, .pubrec, .pubrel, .pubcomp, .suback, .unsuback, .disconnect, .auth: true
            case .connect, .will, .publish, .subscribe, .unsubscribe: false
            }
        case .receiveMaximum, .topicAliasMaximum, .maximumPacketSize:
            self == .connect || self == .connack
        case .topicAlias:
            self == .publish
        case .userProperty:
            true
        }
    }

    /// Whether `identifier` may appear more than once here. Every property except User Property
    /// (§3.1.2.11.8) and the Subscription Identifiers of a PUBLISH (§3.3.2.3.8) says "It is a
    /// Protocol Error to include [it] more than once"; a SUBSCRIBE carries at most one
    /// Subscription Identifier (§3.8.2.1.2).
    func allowsRepeats(of identifier: MQTTPropertyIdentifier) -> Bool {
        switch identifier {
        case .userProperty: true
        case .subscriptionIdentifier: self == .publish
        default: false
        }
    }
}
