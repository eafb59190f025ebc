extension TopicTrie {
    // MARK: - Routing a topic name through a trie of filters

    /// Calls `body` with every node that has a payload and whose filter matches `topic`
    /// (MQTT 5.0 §4.7), each exactly once. The trie must have been built with `wildcards: true`.
    ///
    /// One walk visits, level by level, the named child equal to the topic's level and the `+`
    /// child, and reports the `#` child of every node it reaches, which matches the remaining
    /// levels or, at the end of the topic, the parent level (`sport/#` matches `sport`, §4.7.1.2).
    @usableFromInline
    func forEachFilterNode(matching topic: String, _ body: (NodeIndex) -> Void) {
        topic.withUTF8Bytes { bytes in
            var levelCount = 1
            for byte in bytes where byte == TopicByte.slash {
                levelCount += 1
            }
            // Each level's key, computed the first time the level is looked up.
            withUnsafeTemporaryAllocation(of: LevelKey?.self, capacity: levelCount) { keys in
                keys.initialize(repeating: nil)
                withView { view in
                    let walk = RoutingWalk(
                        view: view,
                        topic: bytes,
                        levelKeys: keys,
                        // MQTT-4.7.2-1: wildcards in the first level do not match `$…` topics.
                        isSystemTopic: bytes.first == TopicByte.dollar
                    )
                    walk.visit(Self.root, levelStart: 0, level: 0, body)
                }
            }
        }
    }

    private struct RoutingWalk {
        let view: View
        let topic: UnsafeBufferPointer<UInt8>
        let levelKeys: UnsafeMutableBufferPointer<LevelKey?>
        let isSystemTopic: Bool

        /// Visits `node`, whose filter matched the levels before `levelStart` (level number `level`).
        func visit(_ node: NodeIndex, levelStart: Int, level: Int, _ body: (NodeIndex) -> Void) {
            let current = view[node]
            let wildcardsMatch = node != TopicTrie.root || !isSystemTopic
            if wildcardsMatch && current.hashChild != TopicTrie.none && view[current.hashChild].hasPayload {
                body(current.hashChild)
            }
            let levelEnd = TopicFilter.endOfLevel(in: topic, from: levelStart)
            if current.firstChild != TopicTrie.none {
                let key: LevelKey
                if let known = levelKeys[level] {
                    key = known
                } else {
                    key = LevelKey(UnsafeBufferPointer(rebasing: topic[levelStart..<levelEnd]))
                    levelKeys[level] = key
                }
                if let child = view.namedChild(of: node, level: key) {
                    arrive(at: child, levelEnd: levelEnd, level: level, body)
                }
            }
            if wildcardsMatch && current.plusChild != TopicTrie.none {
                arrive(at: current.plusChild, levelEnd: levelEnd, level: level, body)
            }
        }

        /// `node` matched the level ending at `levelEnd`.
        @inline(__always)
        private func arrive(at node: NodeIndex, levelEnd: Int, level: Int, _ body: (NodeIndex) -> Void) {
            if levelEnd < topic.count {
                visit(node, levelStart: levelEnd + 1, level: level + 1, body)
                return
            }
            // The topic ends here: the node's own filter matches, and so does `…/#` below it.
            let reached = view[node]
            if reached.hasPayload {
                body(node)
            }
            if reached.hashChild != TopicTrie.none && view[reached.hashChild].hasPayload {
                body(reached.hashChild)
            }
        }
    }

    // MARK: - Walking a trie of topic names with a filter

    /// Calls `body` with every node that has a payload and whose topic name matches `filter`
    /// (a filter without share prefix), each exactly once. The trie must have been built with
    /// `wildcards: false`. Only the branches the filter can match are visited.
    func forEachTopicNode(matching filter: Substring, _ body: (NodeIndex) throws -> Void) rethrows {
        try filter.withUTF8Bytes { bytes in
            try withView { view in
                try Self.visitTopics(Self.root, view: view, filter: bytes, levelStart: 0, body)
            }
        }
    }

    private static func visitTopics(
        _ node: NodeIndex,
        view: View,
        filter: UnsafeBufferPointer<UInt8>,
        levelStart: Int,
        _ body: (NodeIndex) throws -> Void
    ) rethrows {
        let levelEnd = TopicFilter.endOfLevel(in: filter, from: levelStart)
        let isWildcard = levelEnd - levelStart == 1
        let isRoot = node == Self.root

        if isWildcard && filter[levelStart] == TopicByte.hash {
            // The parent level itself (§4.7.1.2); the root stands for no topic.
            if !isRoot && view[node].hasPayload {
                try body(node)
            }
            try forEachDescendant(of: node, view: view, skippingSystemTopics: isRoot, body)
            return
        }

        func arrive(at child: NodeIndex) throws {
            if levelEnd < filter.count {
                try visitTopics(child, view: view, filter: filter, levelStart: levelEnd + 1, body)
            } else if view[child].hasPayload {
                try body(child)
            }
        }

        if isWildcard && filter[levelStart] == TopicByte.plus {
            var child = view[node].firstChild
            while child != Self.none {
                // MQTT-4.7.2-1
                if !(isRoot && view.levelStartsWithDollar(child)) {
                    try arrive(at: child)
                }
                child = view[child].nextSibling
            }
        } else {
            let level = UnsafeBufferPointer(rebasing: filter[levelStart..<levelEnd])
            if let child = view.namedChild(of: node, level: LevelKey(level)) {
                try arrive(at: child)
            }
        }
    }

    /// Every node with payload below `node`, iteratively (topic depth is client-controlled).
    private static func forEachDescendant(
        of node: NodeIndex,
        view: View,
        skippingSystemTopics: Bool,
        _ body: (NodeIndex) throws -> Void
    ) rethrows {
        var pending: [NodeIndex] = []
        var child = view[node].firstChild
        while child != Self.none {
            // MQTT-4.7.2-1: a leading `#` does not match `$…` topics.
            if !(skippingSystemTopics && view.levelStartsWithDollar(child)) {
                pending.append(child)
            }
            child = view[child].nextSibling
        }
        while let next = pending.popLast() {
            if view[next].hasPayload {
                try body(next)
            }
            var child = view[next].firstChild
            while child != Self.none {
                pending.append(child)
                child = view[child].nextSibling
            }
        }
    }
}
