import MQTTCodec

/// One delivery decided by `SubscriptionTree.match`: a subscriber that receives the PUBLISH, and
/// how (MQTT 5.0 §3.3.4).
public struct SubscriptionMatch<Subscriber: Hashable & Sendable>: Sendable, Hashable {
    /// The session that receives the message.
    public var subscriber: Subscriber
    /// The highest QoS granted to the matching subscriptions; the message goes out at the minimum
    /// of this and its own QoS (MQTT-3.3.4-2, MQTT-3.8.4-8).
    public var qos: QoS
    /// Whether to keep the RETAIN flag of the PUBLISH when forwarding it (MQTT 5.0 §3.3.1.3).
    public var retainAsPublished: Bool
    /// The Subscription Identifiers to put in the forwarded PUBLISH (MQTT-3.3.4-3/-4/-5). Usually
    /// empty or shared with the subscription's storage, so producing it does not allocate.
    public var subscriptionIdentifiers: [UInt32]
    /// The shared subscription this delivery comes from (MQTT 5.0 §4.8.2), nil for an ordinary
    /// one. A subscriber can receive one shared and one ordinary delivery of the same message.
    public var sharedGroup: SharedGroupKey?

    /// Whether this delivery comes from a shared subscription.
    @inlinable
    public var isShared: Bool { sharedGroup != nil }

    /// A delivery; `SubscriptionTree.match` makes these.
    @inlinable
    public init(
        subscriber: Subscriber,
        qos: QoS,
        retainAsPublished: Bool,
        subscriptionIdentifiers: [UInt32],
        sharedGroup: SharedGroupKey?
    ) {
        self.subscriber = subscriber
        self.qos = qos
        self.retainAsPublished = retainAsPublished
        self.subscriptionIdentifiers = subscriptionIdentifiers
        self.sharedGroup = sharedGroup
    }
}
