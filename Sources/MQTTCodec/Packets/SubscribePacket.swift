/// What a subscriber does with retained messages when it subscribes (MQTT 5.0 §3.8.3.1).
public enum RetainHandling: UInt8, Sendable, Hashable, CaseIterable {
    /// Send retained messages at the time of the subscribe.
    case sendOnSubscribe = 0
    /// Send retained messages only if the subscription did not already exist.
    case sendOnNewSubscribe = 1
    /// Do not send retained messages.
    case doNotSend = 2
}

/// The Subscription Options byte (MQTT 5.0 §3.8.3.1). In 3.1.1 only `qos` exists.
public struct SubscriptionOptions: Sendable, Hashable {
    public var qos: QoS
    public var noLocal: Bool
    public var retainAsPublished: Bool
    public var retainHandling: RetainHandling

    public init(
        qos: QoS = .atMostOnce,
        noLocal: Bool = false,
        retainAsPublished: Bool = false,
        retainHandling: RetainHandling = .sendOnSubscribe
    ) {
        self.qos = qos
        self.noLocal = noLocal
        self.retainAsPublished = retainAsPublished
        self.retainHandling = retainHandling
    }
}

/// One topic filter with its options in a SUBSCRIBE.
public struct TopicSubscription: Sendable, Hashable {
    public var topicFilter: String
    public var options: SubscriptionOptions

    public init(topicFilter: String, options: SubscriptionOptions = SubscriptionOptions()) {
        self.topicFilter = topicFilter
        self.options = options
    }
}

/// SUBSCRIBE (MQTT 5.0 §3.8, MQTT 3.1.1 §3.8). Never empty (§3.8.3-2).
public struct SubscribePacket: Sendable, Hashable {
    public var packetID: UInt16
    public var subscriptions: [TopicSubscription]
    /// Subscription Identifier and User Properties (5.0).
    public var properties: MQTTProperties

    public init(packetID: UInt16, subscriptions: [TopicSubscription], properties: MQTTProperties = []) {
        self.packetID = packetID
        self.subscriptions = subscriptions
        self.properties = properties
    }
}
