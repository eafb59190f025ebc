import MQTTCodec

extension SubscriptionTree {
    /// Routes one PUBLISH to `topic`: appends one match per receiving subscriber to `matches`.
    ///
    /// - Ordinary subscriptions: all matching subscriptions of one subscriber merge into one match
    ///   with the highest QoS (MQTT-3.3.4-2), the union of their Subscription Identifiers
    ///   (MQTT-3.3.4-3/-4) and Retain As Published if any of them asks for it. A subscription with
    ///   No Local does not match when `subscriber == publisher` (MQTT-3.8.3-3).
    /// - Shared subscriptions: each matching group adds one match (`isShared`) for one member,
    ///   chosen round-robin among the members `isPreferred` accepts (the broker passes "is
    ///   connected"), or among all members when it accepts none (MQTT 5.0 §4.8.2). No Local does
    ///   not apply to them (MQTT-3.8.3-4 makes it a Protocol Error at SUBSCRIBE).
    /// - Filters starting with `+` or `#` do not match topics starting with `$` (MQTT-4.7.2-1).
    ///
    /// Pass the same array for every publish (after `removeAll(keepingCapacity: true)`): routing
    /// itself does not allocate unless one subscriber's overlapping subscriptions carry several
    /// identifiers, or very large matching sets overlap.
    @inlinable
    public func match(
        topic: String,
        publisher: Subscriber?,
        preferring isPreferred: (Subscriber) -> Bool,
        into matches: inout [Match]
    ) {
        let firstMatch = matches.count
        var nodesWithDirectMatches = 0
        // Merging a subscriber's overlapping subscriptions scans earlier matches; beyond this many
        // comparisons an index is cheaper. Empty dictionaries do not allocate.
        var positions: [Subscriber: Int] = [:]
        var usesPositions = false

        // Unsafe views keep reference counting out of the per-node work; only the matches
        // appended retain what they hold.
        payloads.withUnsafeBufferPointer { payloads in
            trie.forEachFilterNode(matching: topic) { node in
                payloads[Int(node)].direct.withUnsafeBufferPointer { direct in
                    guard !direct.isEmpty else { return }
                    if nodesWithDirectMatches == 0 {
                        // The first node cannot hold duplicates: one ordinary subscription per
                        // subscriber and filter.
                        for index in direct.indices
                        where !(direct[index].options.noLocal && direct[index].subscriber == publisher) {
                            matches.append(direct[index].match(sharedGroup: nil))
                        }
                    } else {
                        if !usesPositions && (matches.count - firstMatch) * direct.count > Self.mergeScanLimit {
                            for index in firstMatch..<matches.count where !matches[index].isShared {
                                positions[matches[index].subscriber] = index
                            }
                            usesPositions = true
                        }
                        for index in direct.indices
                        where !(direct[index].options.noLocal && direct[index].subscriber == publisher) {
                            let subscriber = direct[index].subscriber
                            let existing =
                                usesPositions
                                ? positions[subscriber]
                                : Self.directMatchIndex(of: subscriber, in: matches, from: firstMatch)
                            if let existing {
                                Self.merge(direct[index], into: &matches[existing])
                            } else {
                                matches.append(direct[index].match(sharedGroup: nil))
                                if usesPositions {
                                    positions[subscriber] = matches.count - 1
                                }
                            }
                        }
                    }
                    nodesWithDirectMatches += 1
                }

                payloads[Int(node)].groups.withUnsafeBufferPointer { groups in
                    for index in groups.indices {
                        if let member = groups[index].nextMember(preferring: isPreferred) {
                            matches.append(member.match(sharedGroup: groups[index].key))
                        }
                    }
                }
            }
        }
    }

    @inlinable
    static var mergeScanLimit: Int { 256 }

    @inlinable
    static func directMatchIndex(of subscriber: Subscriber, in matches: [Match], from start: Int) -> Int? {
        var index = start
        while index < matches.count {
            if !matches[index].isShared && matches[index].subscriber == subscriber {
                return index
            }
            index += 1
        }
        return nil
    }

    /// Folds one more matching subscription of the same subscriber into its match.
    @inlinable
    static func merge(_ entry: SubscriptionEntry<Subscriber>, into match: inout Match) {
        // MQTT-3.3.4-2: the highest QoS of the overlapping subscriptions.
        if entry.options.qos > match.qos {
            match.qos = entry.options.qos
        }
        if entry.options.retainAsPublished {
            match.retainAsPublished = true
        }
        // MQTT-3.3.4-4: every identifier of the matching subscriptions, each once.
        for identifier in entry.identifiers where !match.subscriptionIdentifiers.contains(identifier) {
            match.subscriptionIdentifiers.append(identifier)
        }
    }
}
