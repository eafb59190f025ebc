/// The retained message of every topic that has one, arranged so that a SUBSCRIBE with wildcards
/// visits only the branches its filter can match (MQTT 5.0 §3.3.1.3, §4.7).
///
/// `Message` is whatever the broker keeps for a retained PUBLISH (payload, QoS, properties,
/// expiry). The tree does not look inside it.
public struct RetainedMessageTree<Message: Sendable>: Sendable {
    private struct Retained: Sendable {
        var topic: String
        var message: Message
    }

    private var trie = TopicTrie()
    /// The retained message at each trie node, indexed like `trie`.
    private var retained: [Retained?] = [nil]

    /// The number of retained messages.
    public private(set) var count = 0

    /// An empty tree.
    public init() {}

    /// Whether no message is retained.
    public var isEmpty: Bool { count == 0 }

    /// The number of trie nodes besides the root; back to zero when every message is cleared.
    package var nodeCount: Int { trie.nodeCount }

    /// Stores or replaces the retained message of `topic`, or clears it when `message` is nil
    /// (MQTT-3.3.1-5: a new retained message replaces the old one; MQTT-3.3.1-6/-7: a retained
    /// PUBLISH with an empty payload clears it — the broker maps that case to nil).
    ///
    /// `topic` is a valid topic name (`TopicName.validate`); `+` and `#` in it are plain
    /// characters here.
    public mutating func set(_ message: Message?, forTopic topic: String) {
        guard let message else {
            guard let node = trie.find(topic[...], wildcards: false),
                retained[Int(node)] != nil
            else { return }
            retained[Int(node)] = nil
            count -= 1
            trie.setHasPayload(false, at: node)
            trie.prune(from: node)
            return
        }
        let node = trie.insert(topic[...], wildcards: false)
        if retained.count < trie.capacity {
            retained.append(contentsOf: repeatElement(nil, count: trie.capacity - retained.count))
        }
        if retained[Int(node)] == nil {
            count += 1
            trie.setHasPayload(true, at: node)
        }
        retained[Int(node)] = Retained(topic: topic, message: message)
    }

    /// The retained message of exactly `topic`, if any.
    public func message(forTopic topic: String) -> Message? {
        guard let node = trie.find(topic[...], wildcards: false) else { return nil }
        return retained[Int(node)]?.message
    }

    /// Calls `body` with the topic and message of every retained message whose topic matches
    /// `filter`, in no particular order, honouring the `$` rule (MQTT-4.7.2-1). A shared
    /// subscription's filter is matched without its share prefix; whether a new shared
    /// subscription receives retained messages at all is the caller's decision.
    public func forEachMatch(of filter: TopicFilter, _ body: (String, Message) throws -> Void) rethrows {
        try trie.forEachTopicNode(matching: filter.filter[...]) { node in
            if let entry = retained[Int(node)] {
                try body(entry.topic, entry.message)
            }
        }
    }
}
