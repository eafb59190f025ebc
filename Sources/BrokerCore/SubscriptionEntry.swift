import MQTTCodec

/// A subscription as stored in a node of the subscription tree.
///
/// `@usableFromInline` with the other pieces `match` touches: routing is inlined into the
/// broker's module and specialized for its subscriber type, which avoids generic dispatch and
/// metadata lookups on every publish.
@usableFromInline
struct SubscriptionEntry<Subscriber: Hashable & Sendable>: Sendable {
    @usableFromInline var subscriber: Subscriber
    @usableFromInline var options: SubscriptionOptions
    /// Zero or one identifier, built once at SUBSCRIBE so that every match shares this storage.
    @usableFromInline var identifiers: [UInt32]

    init(subscriber: Subscriber, options: SubscriptionOptions, identifier: UInt32?) {
        self.subscriber = subscriber
        self.options = options
        self.identifiers = identifier.map { [$0] } ?? []
    }

    var identifier: UInt32? { identifiers.first }

    @inlinable
    func match(sharedGroup: SharedGroupKey?) -> SubscriptionMatch<Subscriber> {
        SubscriptionMatch(
            subscriber: subscriber,
            qos: options.qos,
            retainAsPublished: options.retainAsPublished,
            subscriptionIdentifiers: identifiers,
            sharedGroup: sharedGroup
        )
    }
}
