import MQTTCodec

/// Every subscription of the broker, arranged for routing: a trie keyed by topic levels with
/// `+` and `#` branches, ordinary subscriptions and shared groups at the node of their filter,
/// and a reverse index from subscriber to filters (MQTT 5.0 §4.7, §4.8).
///
/// The broker keeps one tree behind a reader-writer lock. `match` does not mutate and is safe to
/// call from several threads at once; the only state it changes is the round-robin cursor of a
/// shared group, which is atomic. Mutations need the write lock.
///
/// `Subscriber` identifies a session; the broker uses a class compared by identity.
public struct SubscriptionTree<Subscriber: Hashable & Sendable>: Sendable {
    /// One delivery produced by `match`.
    public typealias Match = SubscriptionMatch<Subscriber>

    @usableFromInline
    var trie = TopicTrie()
    /// The subscriptions at each trie node, indexed like `trie` (the root's entry stays empty).
    @usableFromInline
    var payloads: [NodeSubscriptions<Subscriber>] = [NodeSubscriptions()]
    /// Each subscriber's filters and the node holding each, for unsubscribe and session end.
    var nodesBySubscriber: [Subscriber: [TopicFilter: TopicTrie.NodeIndex]] = [:]

    /// The number of subscriptions (ordinary and shared memberships).
    public private(set) var count = 0

    /// An empty tree.
    public init() {}

    /// Whether there is no subscription at all.
    public var isEmpty: Bool { count == 0 }

    /// The number of trie nodes besides the root; back to zero when every subscription is gone.
    package var nodeCount: Int { trie.nodeCount }

    /// Adds the subscription of `subscriber` to `filter`, or replaces it when the subscriber already
    /// has one with the same filter string, share prefix included (MQTT-3.8.4-3: the options and
    /// identifier are replaced).
    ///
    /// - Returns: whether the subscription is new, which Retain Handling 1 needs (MQTT 5.0 §3.8.3.1).
    @discardableResult
    public mutating func subscribe(
        _ subscriber: Subscriber,
        to filter: TopicFilter,
        options: SubscriptionOptions,
        identifier: UInt32?
    ) -> Bool {
        let entry = SubscriptionEntry(subscriber: subscriber, options: options, identifier: identifier)
        if let node = nodesBySubscriber[subscriber]?[filter] {
            _ = upsert(entry, for: filter, at: node)
            return false
        }
        let node = trie.insert(filter.filter[...], wildcards: true)
        if payloads.count < trie.capacity {
            payloads.append(contentsOf: repeatElement(NodeSubscriptions(), count: trie.capacity - payloads.count))
        }
        let isNew = upsert(entry, for: filter, at: node)
        assert(isNew, "the reverse index and the nodes disagree")
        trie.setHasPayload(true, at: node)
        nodesBySubscriber[subscriber, default: [:]][filter] = node
        count += 1
        return true
    }

    /// Removes the subscription of `subscriber` to `filter` (matched by the exact filter string).
    ///
    /// - Returns: whether it existed; UNSUBACK reports 0x11 No subscription existed otherwise.
    @discardableResult
    public mutating func unsubscribe(_ subscriber: Subscriber, from filter: TopicFilter) -> Bool {
        guard let node = nodesBySubscriber[subscriber]?.removeValue(forKey: filter) else { return false }
        if nodesBySubscriber[subscriber]?.isEmpty == true {
            nodesBySubscriber[subscriber] = nil
        }
        remove(subscriber, from: filter, at: node)
        return true
    }

    /// Removes every subscription of `subscriber`, when its session ends. Costs one step per
    /// subscription of that subscriber, whatever the size of the tree.
    public mutating func removeAll(of subscriber: Subscriber) {
        guard let nodes = nodesBySubscriber.removeValue(forKey: subscriber) else { return }
        for (filter, node) in nodes {
            remove(subscriber, from: filter, at: node)
        }
    }

    /// Every subscription of `subscriber`, in no particular order.
    public func subscriptions(of subscriber: Subscriber) -> [Subscription] {
        guard let nodes = nodesBySubscriber[subscriber] else { return [] }
        return nodes.compactMap { filter, node in
            let entry: SubscriptionEntry<Subscriber>? =
                if let shareName = filter.shareName {
                    payloads[Int(node)].sharedEntry(of: subscriber, group: shareName)
                } else {
                    payloads[Int(node)].directEntry(of: subscriber)
                }
            assert(entry != nil, "the reverse index and the nodes disagree")
            return entry.map { Subscription(filter: filter, options: $0.options, identifier: $0.identifier) }
        }
    }

    /// Another member of a shared subscription for a delivery whose session ended (MQTT 5.0
    /// §4.8.2): round-robin among preferred members, else among all; nil when no other member.
    public func sharedGroupMember(
        _ group: SharedGroupKey,
        excluding excluded: Subscriber,
        preferring isPreferred: (Subscriber) -> Bool
    ) -> Subscriber? {
        guard let node = trie.find(group.filter[...], wildcards: true),
            let shared = payloads[Int(node)].sharedGroup(named: group.shareName),
            shared.members.contains(where: { $0.subscriber != excluded })
        else { return nil }
        let chosen = shared.nextMember { $0 != excluded && isPreferred($0) }?.subscriber
        if let chosen, chosen != excluded { return chosen }
        return shared.members.first { $0.subscriber != excluded }?.subscriber
    }

    /// Whether `subscriber` has at least one subscription.
    public func hasSubscriptions(of subscriber: Subscriber) -> Bool {
        nodesBySubscriber[subscriber] != nil
    }

    // MARK: - Node payloads

    private mutating func upsert(
        _ entry: SubscriptionEntry<Subscriber>,
        for filter: TopicFilter,
        at node: TopicTrie.NodeIndex
    ) -> Bool {
        if let shareName = filter.shareName {
            return payloads[Int(node)].upsertShared(entry, group: shareName, filter: filter.filter)
        }
        return payloads[Int(node)].upsertDirect(entry)
    }

    private mutating func remove(_ subscriber: Subscriber, from filter: TopicFilter, at node: TopicTrie.NodeIndex) {
        let removed =
            if let shareName = filter.shareName {
                payloads[Int(node)].removeShared(of: subscriber, group: shareName)
            } else {
                payloads[Int(node)].removeDirect(of: subscriber)
            }
        assert(removed, "the reverse index and the nodes disagree")
        count -= 1
        if payloads[Int(node)].isEmpty {
            trie.setHasPayload(false, at: node)
            trie.prune(from: node)
        }
    }
}
