import Atomics

/// The members of one shared subscription `$share/{ShareName}/{filter}` (MQTT 5.0 §4.8.2): each
/// matching message goes to exactly one of them.
@usableFromInline
struct SharedSubscriptionGroup<Subscriber: Hashable & Sendable>: Sendable {
    /// The ShareName; the filter is the node the group hangs on.
    let name: String
    /// Names the group in the matches it produces, so a delivery can later be given to another
    /// member when its session ends.
    @usableFromInline let key: SharedGroupKey
    @usableFromInline var members: ContiguousArray<SubscriptionEntry<Subscriber>> = []
    /// The index of the member chosen last. Routing runs concurrently under a read lock, so the
    /// only state it changes is this atomic; a copy of the tree shares it, which is harmless.
    @usableFromInline let cursor = ManagedAtomic<Int>(-1)

    init(key: SharedGroupKey) {
        self.name = key.shareName
        self.key = key
    }

    func index(of subscriber: Subscriber) -> Int? {
        members.firstIndex { $0.subscriber == subscriber }
    }

    /// Chooses the member that receives the next message: round-robin among the preferred members
    /// (the broker prefers connected sessions), or among all members when none is preferred.
    ///
    /// The cursor advances with compare-and-exchange, so concurrent routers take turns instead of
    /// picking the same member; after a few lost races a reader settles for its own choice.
    @inlinable
    func nextMember(preferring isPreferred: (Subscriber) -> Bool) -> SubscriptionEntry<Subscriber>? {
        let count = members.count
        guard count > 1 else { return members.first }
        var last = cursor.load(ordering: .relaxed)
        var racesLost = 0
        while true {
            let base = last >= 0 ? last % count : count - 1
            var chosen = (base + 1) % count
            for step in 1...count {
                let candidate = (base + step) % count
                if isPreferred(members[candidate].subscriber) {
                    chosen = candidate
                    break
                }
            }
            let (exchanged, current) = cursor.compareExchange(
                expected: last,
                desired: chosen,
                ordering: .relaxed
            )
            if exchanged || racesLost == 3 {
                return members[chosen]
            }
            racesLost += 1
            last = current
        }
    }
}
