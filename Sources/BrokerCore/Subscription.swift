import MQTTCodec

/// One subscription of a session: what `SubscriptionTree.subscriptions(of:)` reports, and what a
/// session store persists.
public struct Subscription: Sendable, Hashable {
    /// The filter as the client sent it, share prefix included.
    public var filter: TopicFilter
    /// QoS, No Local, Retain As Published and Retain Handling (MQTT 5.0 §3.8.3.1).
    public var options: SubscriptionOptions
    /// The Subscription Identifier of the SUBSCRIBE that made it (MQTT 5.0 §3.8.2.1.2).
    public var identifier: UInt32?

    /// A subscription as `subscriptions(of:)` reports it.
    public init(filter: TopicFilter, options: SubscriptionOptions, identifier: UInt32? = nil) {
        self.filter = filter
        self.options = options
        self.identifier = identifier
    }
}
