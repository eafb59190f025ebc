extension TopicTrie {
    // MARK: - Routing a topic name through a trie of filters

    /// Calls `body` with every node that has a payload and whose filter matches `topic`
    /// (MQTT 5.0 §4.7), each exactly once. The trie must have been built with `wildcards: true`.
    ///
    /// One walk visits, level by level, the named child equal to the topic's level and the `+`
    /// child, and reports the `#` child of every node it reaches, which matches the remaining
    /// levels or, at the end of the topic, the parent level (`sport/#` matches `sport`, §4.7.1.2).
    func forEachFilterNode(matching topic: String, _ body: (NodeIndex) -> Void) {
        topic.withUTF8Bytes { bytes in
            nodes.withUnsafeBufferPointer { nodes in
                let walk = RoutingWalk(
                    topic: topic,
                    bytes: bytes,
                    nodes: nodes,
                    // MQTT-4.7.2-1: wildcards in the first level do not match `$…` topics.
                    isSystemTopic: bytes.first == TopicByte.dollar
                )
                walk.visit(Self.root, levelStart: 0, body)
            }
        }
    }

    private struct RoutingWalk {
        let topic: String
        let bytes: UnsafeBufferPointer<UInt8>
        let nodes: UnsafeBufferPointer<Node>
        let isSystemTopic: Bool

        /// Visits `node`, whose filter matched the levels before `levelStart`.
        func visit(_ node: NodeIndex, levelStart: Int, _ body: (NodeIndex) -> Void) {
            let wildcardsMatch = node != TopicTrie.root || !isSystemTopic
            let hashChild = nodes[Int(node)].hashChild
            if wildcardsMatch && hashChild != TopicTrie.none && nodes[Int(hashChild)].hasPayload {
                body(hashChild)
            }
            let levelEnd = TopicFilter.endOfLevel(in: bytes, from: levelStart)
            if !nodes[Int(node)].children.isEmpty {
                let utf8 = topic.utf8
                let start = utf8.index(utf8.startIndex, offsetBy: levelStart)
                let end = utf8.index(start, offsetBy: levelEnd - levelStart)
                if let child = nodes[Int(node)].children[TopicKey(topic[start..<end])] {
                    arrive(at: child, levelEnd: levelEnd, body)
                }
            }
            let plusChild = nodes[Int(node)].plusChild
            if wildcardsMatch && plusChild != TopicTrie.none {
                arrive(at: plusChild, levelEnd: levelEnd, body)
            }
        }

        /// `node` matched the level ending at `levelEnd`.
        @inline(__always)
        private func arrive(at node: NodeIndex, levelEnd: Int, _ body: (NodeIndex) -> Void) {
            if levelEnd < bytes.count {
                visit(node, levelStart: levelEnd + 1, body)
                return
            }
            // The topic ends here: the node's own filter matches, and so does `…/#` below it.
            if nodes[Int(node)].hasPayload {
                body(node)
            }
            let hashChild = nodes[Int(node)].hashChild
            if hashChild != TopicTrie.none && nodes[Int(hashChild)].hasPayload {
                body(hashChild)
            }
        }
    }

    // MARK: - Walking a trie of topic names with a filter

    /// Calls `body` with every node that has a payload and whose topic name matches `filter`
    /// (a filter without share prefix), each exactly once. The trie must have been built with
    /// `wildcards: false`. Only the branches the filter can match are visited.
    func forEachTopicNode(matching filter: Substring, _ body: (NodeIndex) throws -> Void) rethrows {
        try filter.withUTF8Bytes { bytes in
            try visitTopics(Self.root, filter: filter, bytes: bytes, levelStart: 0, body)
        }
    }

    private func visitTopics(
        _ node: NodeIndex,
        filter: Substring,
        bytes: UnsafeBufferPointer<UInt8>,
        levelStart: Int,
        _ body: (NodeIndex) throws -> Void
    ) rethrows {
        let levelEnd = TopicFilter.endOfLevel(in: bytes, from: levelStart)
        let isWildcard = levelEnd - levelStart == 1
        let isRoot = node == Self.root

        if isWildcard && bytes[levelStart] == TopicByte.hash {
            // The parent level itself (§4.7.1.2); the root stands for no topic.
            if !isRoot && self[node].hasPayload {
                try body(node)
            }
            try forEachDescendant(of: node, skippingSystemTopics: isRoot, body)
            return
        }

        func arrive(at child: NodeIndex) throws {
            if levelEnd < bytes.count {
                try visitTopics(child, filter: filter, bytes: bytes, levelStart: levelEnd + 1, body)
            } else if self[child].hasPayload {
                try body(child)
            }
        }

        if isWildcard && bytes[levelStart] == TopicByte.plus {
            for (level, child) in self[node].children {
                // MQTT-4.7.2-1
                if isRoot && level.text.utf8.first == TopicByte.dollar { continue }
                try arrive(at: child)
            }
        } else {
            let utf8 = filter.utf8
            let start = utf8.index(utf8.startIndex, offsetBy: levelStart)
            let end = utf8.index(start, offsetBy: levelEnd - levelStart)
            if let child = self[node].children[TopicKey(filter[start..<end])] {
                try arrive(at: child)
            }
        }
    }

    /// Every node with payload below `node`, iteratively (topic depth is client-controlled).
    private func forEachDescendant(
        of node: NodeIndex,
        skippingSystemTopics: Bool,
        _ body: (NodeIndex) throws -> Void
    ) rethrows {
        var pending: [NodeIndex] = []
        for (level, child) in self[node].children {
            // MQTT-4.7.2-1: a leading `#` does not match `$…` topics.
            if skippingSystemTopics && level.text.utf8.first == TopicByte.dollar { continue }
            pending.append(child)
        }
        while let next = pending.popLast() {
            if self[next].hasPayload {
                try body(next)
            }
            pending.append(contentsOf: self[next].children.values)
        }
    }
}
