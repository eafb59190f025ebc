import MQTTCodec

/// A subscription as stored in a node of the subscription tree.
struct SubscriptionEntry<Subscriber: Hashable & Sendable>: Sendable {
    var subscriber: Subscriber
    var options: SubscriptionOptions
    /// Zero or one identifier, built once at SUBSCRIBE so that every match shares this storage.
    var identifiers: [UInt32]

    init(subscriber: Subscriber, options: SubscriptionOptions, identifier: UInt32?) {
        self.subscriber = subscriber
        self.options = options
        self.identifiers = identifier.map { [$0] } ?? []
    }

    var identifier: UInt32? { identifiers.first }

    func match(isShared: Bool) -> SubscriptionMatch<Subscriber> {
        SubscriptionMatch(
            subscriber: subscriber,
            qos: options.qos,
            retainAsPublished: options.retainAsPublished,
            subscriptionIdentifiers: identifiers,
            isShared: isShared
        )
    }
}
