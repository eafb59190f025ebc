/// The subscriptions whose filter ends at one node of the subscription tree: ordinary ones (at
/// most one per subscriber, MQTT-3.8.4-3) and shared groups keyed by ShareName.
@usableFromInline
struct NodeSubscriptions<Subscriber: Hashable & Sendable>: Sendable {
    @usableFromInline typealias Entry = SubscriptionEntry<Subscriber>

    /// Ordinary subscriptions, in an array because routing iterates them on every publish.
    @usableFromInline private(set) var direct: ContiguousArray<Entry> = []
    /// Where each subscriber sits in `direct`, kept only for crowded nodes (a filter thousands of
    /// sessions subscribe to) so that unsubscribing stays O(1) there and costs nothing elsewhere.
    private var directPositions: [Subscriber: Int] = [:]
    @usableFromInline private(set) var groups: ContiguousArray<SharedSubscriptionGroup<Subscriber>> = []

    private static var indexThreshold: Int { 16 }

    init() {}

    var isEmpty: Bool { direct.isEmpty && groups.isEmpty }

    // MARK: - Ordinary subscriptions

    private func directPosition(of subscriber: Subscriber) -> Int? {
        if directPositions.isEmpty {
            return direct.firstIndex { $0.subscriber == subscriber }
        }
        return directPositions[subscriber]
    }

    func directEntry(of subscriber: Subscriber) -> Entry? {
        directPosition(of: subscriber).map { direct[$0] }
    }

    /// Adds or replaces the subscriber's ordinary subscription; returns whether it is new.
    mutating func upsertDirect(_ entry: Entry) -> Bool {
        if let position = directPosition(of: entry.subscriber) {
            direct[position] = entry
            return false
        }
        direct.append(entry)
        if !directPositions.isEmpty {
            directPositions[entry.subscriber] = direct.count - 1
        } else if direct.count > Self.indexThreshold {
            for (position, entry) in direct.enumerated() {
                directPositions[entry.subscriber] = position
            }
        }
        return true
    }

    /// Removes the subscriber's ordinary subscription; returns whether it existed.
    mutating func removeDirect(of subscriber: Subscriber) -> Bool {
        guard let position = directPosition(of: subscriber) else { return false }
        // Order does not matter to routing: move the last entry into the hole.
        let last = direct.count - 1
        if position != last {
            direct.swapAt(position, last)
        }
        direct.removeLast()
        if !directPositions.isEmpty {
            if direct.count <= Self.indexThreshold / 2 {
                directPositions = [:]
            } else {
                directPositions[subscriber] = nil
                if position != last {
                    directPositions[direct[position].subscriber] = position
                }
            }
        }
        return true
    }

    // MARK: - Shared subscriptions

    private func groupPosition(named name: String) -> Int? {
        groups.firstIndex { utf8BytesEqual($0.name, name) }
    }

    func sharedGroup(named name: String) -> SharedSubscriptionGroup<Subscriber>? {
        groupPosition(named: name).map { groups[$0] }
    }

    func sharedEntry(of subscriber: Subscriber, group name: String) -> Entry? {
        guard let group = groupPosition(named: name) else { return nil }
        return groups[group].index(of: subscriber).map { groups[group].members[$0] }
    }

    /// Adds or replaces the subscriber's membership in a shared group; returns whether it is new.
    mutating func upsertShared(_ entry: Entry, group name: String, filter: String) -> Bool {
        let group: Int
        if let existing = groupPosition(named: name) {
            group = existing
        } else {
            groups.append(SharedSubscriptionGroup(key: SharedGroupKey(shareName: name, filter: filter)))
            group = groups.count - 1
        }
        if let member = groups[group].index(of: entry.subscriber) {
            groups[group].members[member] = entry
            return false
        }
        groups[group].members.append(entry)
        return true
    }

    /// Removes the subscriber from a shared group, and the group when it is left empty; returns
    /// whether the membership existed.
    mutating func removeShared(of subscriber: Subscriber, group name: String) -> Bool {
        guard let group = groupPosition(named: name),
            let member = groups[group].index(of: subscriber)
        else { return false }
        // Keep the members' order so the round-robin cursor stays meaningful.
        groups[group].members.remove(at: member)
        if groups[group].members.isEmpty {
            groups.remove(at: group)
        }
        return true
    }
}
