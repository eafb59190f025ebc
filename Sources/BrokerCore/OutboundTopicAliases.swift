/// The Topic Aliases the server assigns to topics it sends to one client (MQTT 5.0 §3.3.2.3.4),
/// up to the client's Topic Alias Maximum, reusing the least recently used alias when all are
/// taken. O(1) per PUBLISH.
///
/// Mappings live as long as the connection (MQTT-3.3.2-7): make a new value per connection. Ask
/// for an alias only when the PUBLISH is really written, since the client learns a mapping from
/// the packet that carries it.
public struct OutboundTopicAliases: Sendable {
    /// The Topic Alias Maximum the client sent in CONNECT (§3.1.2.11.5); 0 means never alias
    /// (MQTT-3.1.2-26/-27).
    public let maximum: UInt16

    /// One per alias in use, `slots[alias - 1]`, linked from most to least recently used.
    private struct Slot: Sendable {
        var topic: String
        var newer: UInt16
        var older: UInt16
    }

    private var slots: [Slot] = []
    private var aliasByTopic: [TopicKey: UInt16] = [:]
    /// Alias numbers at the two ends of the recency list; 0 is "none".
    private var mostRecent: UInt16 = 0
    private var leastRecent: UInt16 = 0

    /// No aliases yet, for a new connection whose CONNECT announced `maximum`.
    public init(maximum: UInt16) {
        self.maximum = maximum
    }

    /// The number of aliases assigned so far (at most `maximum`).
    public var count: Int { slots.count }

    /// The alias to send `topic` with, or nil when the client accepts none.
    ///
    /// - `isNew == true`: the alias was just (re)assigned; the PUBLISH carries the full Topic Name
    ///   and the alias, which sets the client's mapping.
    /// - `isNew == false`: the client already maps the alias to `topic`; the PUBLISH carries an
    ///   empty Topic Name and the alias.
    /// Never exceeds `maximum` (MQTT-3.3.2-11).
    public mutating func alias(for topic: String) -> (alias: UInt16, isNew: Bool)? {
        guard maximum > 0 else { return nil }
        let key = TopicKey(topic[...])
        if let alias = aliasByTopic[key] {
            moveToFront(alias)
            return (alias, false)
        }
        let alias: UInt16
        if slots.count < Int(maximum) {
            slots.append(Slot(topic: topic, newer: 0, older: 0))
            alias = UInt16(slots.count)
            linkAtFront(alias)
        } else {
            // Full: the least recently used alias now means `topic`.
            alias = leastRecent
            aliasByTopic[TopicKey(slots[Int(alias) - 1].topic[...])] = nil
            slots[Int(alias) - 1].topic = topic
            moveToFront(alias)
        }
        aliasByTopic[key] = alias
        return (alias, true)
    }

    /// Forgets the alias of `topic` after the PUBLISH that was to establish it could not be sent
    /// (too large for the client, MQTT-3.1.2-25): the client never learnt it, so the next PUBLISH
    /// of that topic must carry the full name again. The alias number is reused later.
    public mutating func forget(topic: String) {
        guard let alias = aliasByTopic.removeValue(forKey: TopicKey(topic[...])) else { return }
        slots[Int(alias) - 1].topic = ""
    }

    private mutating func moveToFront(_ alias: UInt16) {
        guard alias != mostRecent else { return }
        // Unlink.
        let slot = slots[Int(alias) - 1]
        if slot.newer != 0 { slots[Int(slot.newer) - 1].older = slot.older }
        if slot.older != 0 {
            slots[Int(slot.older) - 1].newer = slot.newer
        } else {
            leastRecent = slot.newer
        }
        linkAtFront(alias)
    }

    private mutating func linkAtFront(_ alias: UInt16) {
        slots[Int(alias) - 1].newer = 0
        slots[Int(alias) - 1].older = mostRecent
        if mostRecent != 0 {
            slots[Int(mostRecent) - 1].newer = alias
        }
        mostRecent = alias
        if leastRecent == 0 {
            leastRecent = alias
        }
    }
}
