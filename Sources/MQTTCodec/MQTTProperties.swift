import NIOCore

/// The property list of an MQTT 5.0 packet, in wire order.
///
/// Stored as a small array of `MQTTProperty` so that the common case (a PUBLISH without
/// properties) costs no allocation and copies as a single reference. Typed accessors find, set
/// or remove one property; properties that may repeat (User Property, Subscription Identifier in
/// PUBLISH) have list accessors. Which properties a packet may carry is checked by the decoder
/// against the allow-list of each packet type (§2.2.2.2).
public struct MQTTProperties: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public private(set) var elements: [MQTTProperty]

    public init() { self.elements = [] }

    public init(_ elements: [MQTTProperty]) { self.elements = elements }

    public init(arrayLiteral elements: MQTTProperty...) { self.elements = elements }

    public var startIndex: Int { elements.startIndex }
    public var endIndex: Int { elements.endIndex }
    public subscript(position: Int) -> MQTTProperty { elements[position] }

    /// Appends a property without checking for duplicates.
    public mutating func append(_ property: MQTTProperty) { elements.append(property) }

    /// Removes every property with this identifier.
    public mutating func removeAll(_ identifier: MQTTPropertyIdentifier) {
        elements.removeAll { $0.identifier == identifier }
    }

    /// Replaces the property with this identifier, or removes it when `property` is nil.
    @usableFromInline
    mutating func set(_ identifier: MQTTPropertyIdentifier, _ property: MQTTProperty?) {
        guard let index = elements.firstIndex(where: { $0.identifier == identifier }) else {
            if let property { elements.append(property) }
            return
        }
        guard let property else {
            removeAll(identifier)
            return
        }
        // Keep the first occurrence's position, drop any later duplicates.
        elements[index] = property
        var position = elements.index(after: index)
        while position < elements.endIndex {
            if elements[position].identifier == identifier {
                elements.remove(at: position)
            } else {
                position = elements.index(after: position)
            }
        }
    }

    @usableFromInline
    func first<T>(_ extract: (MQTTProperty) -> T?) -> T? {
        for element in elements {
            if let value = extract(element) { return value }
        }
        return nil
    }
}

// MARK: - Typed accessors

extension MQTTProperties {
    public var payloadFormat: MQTTPayloadFormat? {
        get {
            first {
                if case .payloadFormatIndicator(let v) = $0 { MQTTPayloadFormat(rawValue: v) } else { nil }
            }
        }
        set { set(.payloadFormatIndicator, newValue.map { .payloadFormatIndicator($0.rawValue) }) }
    }

    /// Seconds until a PUBLISH or Will expires (§3.3.2.3.3).
    public var messageExpiryInterval: UInt32? {
        get { first { if case .messageExpiryInterval(let v) = $0 { v } else { nil } } }
        set { set(.messageExpiryInterval, newValue.map { .messageExpiryInterval($0) }) }
    }

    public var contentType: String? {
        get { first { if case .contentType(let v) = $0 { v } else { nil } } }
        set { set(.contentType, newValue.map { .contentType($0) }) }
    }

    public var responseTopic: String? {
        get { first { if case .responseTopic(let v) = $0 { v } else { nil } } }
        set { set(.responseTopic, newValue.map { .responseTopic($0) }) }
    }

    public var correlationData: ByteBuffer? {
        get { first { if case .correlationData(let v) = $0 { v } else { nil } } }
        set { set(.correlationData, newValue.map { .correlationData($0) }) }
    }

    /// All Subscription Identifiers, in order. A PUBLISH may carry several (§3.3.2.3.8);
    /// a SUBSCRIBE at most one (§3.8.2.1.2).
    public var subscriptionIdentifiers: [UInt32] {
        get { elements.compactMap { if case .subscriptionIdentifier(let v) = $0 { v } else { nil } } }
        set {
            removeAll(.subscriptionIdentifier)
            elements.append(contentsOf: newValue.map { .subscriptionIdentifier($0) })
        }
    }

    /// Seconds the session outlives the network connection (§3.1.2.11.2); 0xFFFFFFFF is never.
    public var sessionExpiryInterval: UInt32? {
        get { first { if case .sessionExpiryInterval(let v) = $0 { v } else { nil } } }
        set { set(.sessionExpiryInterval, newValue.map { .sessionExpiryInterval($0) }) }
    }

    public var assignedClientIdentifier: String? {
        get { first { if case .assignedClientIdentifier(let v) = $0 { v } else { nil } } }
        set { set(.assignedClientIdentifier, newValue.map { .assignedClientIdentifier($0) }) }
    }

    public var serverKeepAlive: UInt16? {
        get { first { if case .serverKeepAlive(let v) = $0 { v } else { nil } } }
        set { set(.serverKeepAlive, newValue.map { .serverKeepAlive($0) }) }
    }

    public var authenticationMethod: String? {
        get { first { if case .authenticationMethod(let v) = $0 { v } else { nil } } }
        set { set(.authenticationMethod, newValue.map { .authenticationMethod($0) }) }
    }

    public var authenticationData: ByteBuffer? {
        get { first { if case .authenticationData(let v) = $0 { v } else { nil } } }
        set { set(.authenticationData, newValue.map { .authenticationData($0) }) }
    }

    /// Whether the server may send Reason String and User Properties on failures (§3.1.2.11.7).
    /// The default when absent is `true`.
    public var requestProblemInformation: Bool? {
        get { first { if case .requestProblemInformation(let v) = $0 { v != 0 } else { nil } } }
        set { set(.requestProblemInformation, newValue.map { .requestProblemInformation($0 ? 1 : 0) }) }
    }

    /// Seconds to wait before publishing a Will (§3.1.3.2.2).
    public var willDelayInterval: UInt32? {
        get { first { if case .willDelayInterval(let v) = $0 { v } else { nil } } }
        set { set(.willDelayInterval, newValue.map { .willDelayInterval($0) }) }
    }

    /// Whether the client asks for Response Information in CONNACK (§3.1.2.11.6). Default `false`.
    public var requestResponseInformation: Bool? {
        get { first { if case .requestResponseInformation(let v) = $0 { v != 0 } else { nil } } }
        set { set(.requestResponseInformation, newValue.map { .requestResponseInformation($0 ? 1 : 0) }) }
    }

    public var responseInformation: String? {
        get { first { if case .responseInformation(let v) = $0 { v } else { nil } } }
        set { set(.responseInformation, newValue.map { .responseInformation($0) }) }
    }

    public var serverReference: String? {
        get { first { if case .serverReference(let v) = $0 { v } else { nil } } }
        set { set(.serverReference, newValue.map { .serverReference($0) }) }
    }

    public var reasonString: String? {
        get { first { if case .reasonString(let v) = $0 { v } else { nil } } }
        set { set(.reasonString, newValue.map { .reasonString($0) }) }
    }

    /// How many QoS 1/2 PUBLISHes the sender of this property accepts unacknowledged (§3.1.2.11.3).
    public var receiveMaximum: UInt16? {
        get { first { if case .receiveMaximum(let v) = $0 { v } else { nil } } }
        set { set(.receiveMaximum, newValue.map { .receiveMaximum($0) }) }
    }

    public var topicAliasMaximum: UInt16? {
        get { first { if case .topicAliasMaximum(let v) = $0 { v } else { nil } } }
        set { set(.topicAliasMaximum, newValue.map { .topicAliasMaximum($0) }) }
    }

    public var topicAlias: UInt16? {
        get { first { if case .topicAlias(let v) = $0 { v } else { nil } } }
        set { set(.topicAlias, newValue.map { .topicAlias($0) }) }
    }

    public var maximumQoS: QoS? {
        get { first { if case .maximumQoS(let v) = $0 { QoS(rawValue: v) } else { nil } } }
        set { set(.maximumQoS, newValue.map { .maximumQoS($0.rawValue) }) }
    }

    public var retainAvailable: Bool? {
        get { first { if case .retainAvailable(let v) = $0 { v != 0 } else { nil } } }
        set { set(.retainAvailable, newValue.map { .retainAvailable($0 ? 1 : 0) }) }
    }

    /// All User Properties, in order (§3.3.2.3.7).
    public var userProperties: [MQTTUserProperty] {
        get {
            elements.compactMap {
                if case .userProperty(let name, let value) = $0 {
                    MQTTUserProperty(name: name, value: value)
                } else {
                    nil
                }
            }
        }
        set {
            removeAll(.userProperty)
            elements.append(contentsOf: newValue.map { .userProperty(name: $0.name, value: $0.value) })
        }
    }

    public var maximumPacketSize: UInt32? {
        get { first { if case .maximumPacketSize(let v) = $0 { v } else { nil } } }
        set { set(.maximumPacketSize, newValue.map { .maximumPacketSize($0) }) }
    }

    public var wildcardSubscriptionAvailable: Bool? {
        get { first { if case .wildcardSubscriptionAvailable(let v) = $0 { v != 0 } else { nil } } }
        set { set(.wildcardSubscriptionAvailable, newValue.map { .wildcardSubscriptionAvailable($0 ? 1 : 0) }) }
    }

    public var subscriptionIdentifierAvailable: Bool? {
        get { first { if case .subscriptionIdentifierAvailable(let v) = $0 { v != 0 } else { nil } } }
        set { set(.subscriptionIdentifierAvailable, newValue.map { .subscriptionIdentifierAvailable($0 ? 1 : 0) }) }
    }

    public var sharedSubscriptionAvailable: Bool? {
        get { first { if case .sharedSubscriptionAvailable(let v) = $0 { v != 0 } else { nil } } }
        set { set(.sharedSubscriptionAvailable, newValue.map { .sharedSubscriptionAvailable($0 ? 1 : 0) }) }
    }
}
