/// The shape shared by the subscription tree and the retained-message tree: a trie of topic
/// levels whose nodes live in one array and refer to each other by index.
///
/// An array of structs instead of a graph of objects gives the owning trees value semantics and
/// copy-on-write for free, no reference counting while walking, and lets them keep their payloads
/// in a parallel array (`payload[node]`), so this walking code is not generic and is compiled
/// once, optimized, in this module. Freed slots are reused by later insertions.
///
/// `+` and `#` children have their own slots: routing a topic tries them at every level without
/// hashing anything (MQTT 5.0 §4.7.1).
struct TopicTrie: Sendable {
    typealias NodeIndex = Int32

    static let root: NodeIndex = 0
    static let none: NodeIndex = -1

    enum Kind: UInt8, Sendable {
        case root
        case named
        case singleLevelWildcard
        case multiLevelWildcard
    }

    struct Node: Sendable {
        var parent: NodeIndex
        var kind: Kind
        /// This node's key in `parent.children` (empty for the other kinds).
        var level: TopicKey
        var children: [TopicKey: NodeIndex] = [:]
        var plusChild: NodeIndex = TopicTrie.none
        var hashChild: NodeIndex = TopicTrie.none
        /// Whether the owner keeps a non-empty payload here; only such nodes are reported by walks
        /// and a node without payload and children is pruned.
        var hasPayload = false

        var isPrunable: Bool {
            !hasPayload && children.isEmpty && plusChild == TopicTrie.none && hashChild == TopicTrie.none
        }
    }

    private(set) var nodes: [Node]
    private var freeSlots: [NodeIndex] = []

    init() {
        nodes = [Node(parent: Self.none, kind: .root, level: TopicKey(""))]
    }

    /// The number of nodes besides the root.
    var nodeCount: Int { nodes.count - freeSlots.count - 1 }

    /// The number of slots, freed ones included: owners size their payload arrays to it.
    var capacity: Int { nodes.count }

    subscript(node: NodeIndex) -> Node {
        _read { yield nodes[Int(node)] }
    }

    // MARK: - Building

    /// The node of `levels`, created with its missing ancestors when absent. With
    /// `wildcards: true` the levels `+` and `#` go to the wildcard slots (filters); otherwise
    /// they are plain names (topic names never contain them).
    mutating func insert(levels: some Sequence<Substring>, wildcards: Bool) -> NodeIndex {
        var node = Self.root
        for level in levels {
            node = child(of: node, level: level, wildcards: wildcards)
        }
        return node
    }

    private mutating func child(of parent: NodeIndex, level: Substring, wildcards: Bool) -> NodeIndex {
        let kind: Kind =
            if wildcards && level.utf8.count == 1 && level.utf8.first == TopicByte.plus {
                .singleLevelWildcard
            } else if wildcards && level.utf8.count == 1 && level.utf8.first == TopicByte.hash {
                .multiLevelWildcard
            } else {
                .named
            }
        switch kind {
        case .singleLevelWildcard:
            if nodes[Int(parent)].plusChild != Self.none { return nodes[Int(parent)].plusChild }
            let node = allocate(Node(parent: parent, kind: kind, level: TopicKey("")))
            nodes[Int(parent)].plusChild = node
            return node
        case .multiLevelWildcard:
            if nodes[Int(parent)].hashChild != Self.none { return nodes[Int(parent)].hashChild }
            let node = allocate(Node(parent: parent, kind: kind, level: TopicKey("")))
            nodes[Int(parent)].hashChild = node
            return node
        case .named:
            if let existing = nodes[Int(parent)].children[TopicKey(level)] { return existing }
            let key = TopicKey(copying: level)
            let node = allocate(Node(parent: parent, kind: kind, level: key))
            nodes[Int(parent)].children[key] = node
            return node
        case .root:
            preconditionFailure("a level is never the root")
        }
    }

    private mutating func allocate(_ node: Node) -> NodeIndex {
        if let slot = freeSlots.popLast() {
            nodes[Int(slot)] = node
            return slot
        }
        precondition(nodes.count < Int(Int32.max), "topic trie is full")
        nodes.append(node)
        return NodeIndex(nodes.count - 1)
    }

    mutating func setHasPayload(_ hasPayload: Bool, at node: NodeIndex) {
        nodes[Int(node)].hasPayload = hasPayload
    }

    /// Removes `node` and then each ancestor that is left without payload and children, so that
    /// per-device topics do not leave dead branches behind.
    mutating func prune(from node: NodeIndex) {
        var node = node
        while node != Self.root && nodes[Int(node)].isPrunable {
            let removed = nodes[Int(node)]
            let parent = removed.parent
            switch removed.kind {
            case .named: nodes[Int(parent)].children[removed.level] = nil
            case .singleLevelWildcard: nodes[Int(parent)].plusChild = Self.none
            case .multiLevelWildcard: nodes[Int(parent)].hashChild = Self.none
            case .root: preconditionFailure("the root is never pruned")
            }
            // Release the key and the (empty) dictionary; the slot waits for reuse.
            nodes[Int(node)] = Node(parent: Self.none, kind: .named, level: TopicKey(""))
            freeSlots.append(node)
            node = parent
        }
    }

    // MARK: - Lookups

    /// The node of a topic name (or of a filter's exact path with `wildcards: true`), if present.
    func find(levels: some Sequence<Substring>, wildcards: Bool) -> NodeIndex? {
        var node = Self.root
        for level in levels {
            let next: NodeIndex
            if wildcards && level.utf8.count == 1 && level.utf8.first == TopicByte.plus {
                next = nodes[Int(node)].plusChild
            } else if wildcards && level.utf8.count == 1 && level.utf8.first == TopicByte.hash {
                next = nodes[Int(node)].hashChild
            } else {
                next = nodes[Int(node)].children[TopicKey(level)] ?? Self.none
            }
            guard next != Self.none else { return nil }
            node = next
        }
        return node
    }
}
