/// The shape shared by the subscription tree and the retained-message tree: a trie of topic
/// levels, stored so that routing a topic touches no reference counts and hashes each level once.
///
/// - Nodes are plain structs in one array, addressed by index; freed slots are reused. The owning
///   trees keep their payloads in a parallel array (`payload[node]`), so this code is not generic
///   and is compiled once, optimized, in this module.
/// - The named children of every node live in one open-addressing table keyed by (parent, level
///   bytes). A level's hash (randomly keyed, so clients cannot aim for collisions) is computed
///   once per routed topic level and reused at every node that level is looked up in.
/// - Levels of up to 16 bytes are stored in their node; longer ones back to back in one byte
///   array, compacted when freed levels pile up.
/// - `+` and `#` children have their own slots, tried at every level without hashing (§4.7.1).
/// - Named children are also linked as siblings, for walks that visit every child (`+`, `#`
///   in the filter of a retained-message lookup).
///
/// Topics are compared as raw bytes: MQTT-4.7.3-4 forbids normalization.
@usableFromInline
struct TopicTrie: Sendable {
    @usableFromInline
    typealias NodeIndex = Int32

    static let root: NodeIndex = 0
    static let none: NodeIndex = -1

    enum Kind: UInt8, Sendable {
        case root
        case named
        case singleLevelWildcard
        case multiLevelWildcard
        case free
    }

    /// A node; only trivial fields, so copying one costs no reference counting.
    struct Node: Sendable {
        var parent: NodeIndex
        var plusChild = TopicTrie.none
        var hashChild = TopicTrie.none
        var firstChild = TopicTrie.none
        var nextSibling = TopicTrie.none
        var previousSibling = TopicTrie.none
        var levelLength: Int32 = 0
        var kind: Kind
        /// Whether the owner keeps a non-empty payload here: only such nodes are reported by
        /// walks, and a node without payload and children is pruned.
        var hasPayload = false
        /// For named nodes: the level's hash, and its bytes inline when they fit (most levels
        /// do), else their offset in `levelBytes` in the first word. Comparing a level then
        /// touches no other memory than the node.
        var levelHash: UInt64 = 0
        var levelWords: (UInt64, UInt64) = (0, 0)

        init(parent: NodeIndex, kind: Kind) {
            self.parent = parent
            self.kind = kind
        }

        var isPrunable: Bool {
            !hasPayload && firstChild == TopicTrie.none && plusChild == TopicTrie.none
                && hashChild == TopicTrie.none
        }
    }

    /// A level being looked up: its bytes, hash and inline words, computed once.
    struct LevelKey {
        let bytes: UnsafeBufferPointer<UInt8>
        let hash: UInt64
        let words: (UInt64, UInt64)

        /// Levels up to this many bytes are stored in `Node.levelWords`.
        static let inlineCapacity = 16

        init(_ bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            guard bytes.count <= Self.inlineCapacity else {
                var hasher = Hasher()
                hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
                self.hash = UInt64(bitPattern: Int64(hasher.finalize()))
                self.words = (0, 0)
                return
            }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            self.words = words
            // Short levels (nearly all) use a folded multiply with per-process random keys, as
            // foldhash and wyhash do: a few cycles instead of SipHash, still unpredictable to
            // clients choosing topics. Longer levels go through the standard library's SipHash.
            let seeds = TopicTrie.hashSeeds
            let mixed = Self.foldedMultiply(words.0 ^ seeds.0, words.1 ^ seeds.1 ^ UInt64(bytes.count))
            self.hash = Self.foldedMultiply(mixed ^ seeds.2, 0x9E37_79B9_7F4A_7C15)
        }

        @inline(__always)
        private static func foldedMultiply(_ lhs: UInt64, _ rhs: UInt64) -> UInt64 {
            let product = lhs.multipliedFullWidth(by: rhs)
            return product.high ^ product.low
        }
    }

    /// Keys of the short-level hash, drawn once per process.
    static let hashSeeds: (UInt64, UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next(), generator.next())
    }()

    private(set) var nodes: [Node] = [Node(parent: TopicTrie.none, kind: .root)]
    private var freeSlots: [NodeIndex] = []
    /// Named children in an open-addressing table with linear probing (power-of-two size, at most
    /// half full). Each slot holds a 32-bit tag of the (parent, level) hash above the child's
    /// index, so probing past other entries does not touch their nodes; `emptyEdge` is free.
    private var edges = [UInt64](repeating: TopicTrie.emptyEdge, count: 16)
    private var edgeCount = 0
    /// The bytes of levels too long to be stored inline.
    private var levelBytes: [UInt8] = []
    /// Bytes of freed levels still in `levelBytes`.
    private var garbageByteCount = 0

    init() {}

    /// The number of nodes besides the root.
    var nodeCount: Int { nodes.count - freeSlots.count - 1 }

    /// The number of slots, freed ones included: owners size their payload arrays to it.
    var capacity: Int { nodes.count }

    subscript(node: NodeIndex) -> Node { nodes[Int(node)] }

    // MARK: - Hashing

    static let emptyEdge = UInt64.max

    /// Mixes a level's hash with its parent: the low bits choose the home slot, the high 32 bits
    /// are the tag stored with the edge.
    @inline(__always)
    static func edgeHash(parent: NodeIndex, levelHash: UInt64) -> UInt64 {
        var mixed = levelHash ^ (UInt64(UInt32(bitPattern: parent)) &* 0x9E37_79B9_7F4A_7C15)
        mixed = (mixed ^ (mixed >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return mixed ^ (mixed >> 32)
    }

    @inline(__always)
    static func edge(tag edgeHash: UInt64, child: NodeIndex) -> UInt64 {
        (edgeHash & 0xFFFF_FFFF_0000_0000) | UInt64(UInt32(bitPattern: child))
    }

    // MARK: - Reading without reference counting

    /// Unsafe views of the storage, valid inside `withView`.
    struct View {
        let nodes: UnsafeBufferPointer<Node>
        let edges: UnsafeBufferPointer<UInt64>
        let levelBytes: UnsafeBufferPointer<UInt8>

        @inline(__always)
        subscript(node: NodeIndex) -> Node { nodes[Int(node)] }

        /// The named child of `parent` whose level is `level`.
        @inline(__always)
        func namedChild(of parent: NodeIndex, level: LevelKey) -> NodeIndex? {
            let mask = edges.count - 1
            let edgeHash = TopicTrie.edgeHash(parent: parent, levelHash: level.hash)
            let tag = edgeHash & 0xFFFF_FFFF_0000_0000
            var slot = Int(truncatingIfNeeded: edgeHash) & mask
            while true {
                let edge = edges[slot]
                if edge == TopicTrie.emptyEdge {
                    return nil
                }
                if edge & 0xFFFF_FFFF_0000_0000 == tag {
                    let candidate = NodeIndex(truncatingIfNeeded: edge)
                    if isLevel(level, of: candidate, under: parent) {
                        return candidate
                    }
                }
                slot = (slot + 1) & mask
            }
        }

        @inline(__always)
        private func isLevel(_ level: LevelKey, of candidate: NodeIndex, under parent: NodeIndex) -> Bool {
            let node = nodes[Int(candidate)]
            guard node.parent == parent, node.levelHash == level.hash, Int(node.levelLength) == level.bytes.count
            else { return false }
            if level.bytes.count <= LevelKey.inlineCapacity {
                return node.levelWords.0 == level.words.0 && node.levelWords.1 == level.words.1
            }
            let start = Int(node.levelWords.0)
            return UnsafeBufferPointer(rebasing: levelBytes[start..<start + level.bytes.count]).elementsEqual(
                level.bytes
            )
        }

        /// Whether the named `node`'s level starts with `$`.
        func levelStartsWithDollar(_ node: NodeIndex) -> Bool {
            let node = nodes[Int(node)]
            guard node.levelLength > 0 else { return false }
            if node.levelLength <= LevelKey.inlineCapacity {
                return UInt8(truncatingIfNeeded: node.levelWords.0) == TopicByte.dollar
            }
            return levelBytes[Int(node.levelWords.0)] == TopicByte.dollar
        }
    }

    func withView<R>(_ body: (View) throws -> R) rethrows -> R {
        try nodes.withUnsafeBufferPointer { nodes in
            try edges.withUnsafeBufferPointer { edges in
                try levelBytes.withUnsafeBufferPointer { levelBytes in
                    try body(View(nodes: nodes, edges: edges, levelBytes: levelBytes))
                }
            }
        }
    }

    // MARK: - Building

    /// The node of the path `path` (a topic name, or a filter with `wildcards: true`), if present.
    func find(_ path: Substring, wildcards: Bool) -> NodeIndex? {
        path.withUTF8Bytes { bytes in
            withView { view in
                var node = Self.root
                var start = 0
                while true {
                    let end = TopicFilter.endOfLevel(in: bytes, from: start)
                    let level = UnsafeBufferPointer(rebasing: bytes[start..<end])
                    let next: NodeIndex
                    switch Self.kind(of: level, wildcards: wildcards) {
                    case .singleLevelWildcard: next = view[node].plusChild
                    case .multiLevelWildcard: next = view[node].hashChild
                    case .named, .root, .free:
                        next = view.namedChild(of: node, level: LevelKey(level)) ?? Self.none
                    }
                    guard next != Self.none else { return nil }
                    node = next
                    guard end < bytes.count else { return node }
                    start = end + 1
                }
            }
        }
    }

    /// The node of `path`, created with its missing ancestors when absent.
    mutating func insert(_ path: Substring, wildcards: Bool) -> NodeIndex {
        path.withUTF8Bytes { bytes in
            var node = Self.root
            var start = 0
            while true {
                let end = TopicFilter.endOfLevel(in: bytes, from: start)
                node = child(of: node, level: UnsafeBufferPointer(rebasing: bytes[start..<end]), wildcards: wildcards)
                guard end < bytes.count else { return node }
                start = end + 1
            }
        }
    }

    private static func kind(of level: UnsafeBufferPointer<UInt8>, wildcards: Bool) -> Kind {
        guard wildcards && level.count == 1 else { return .named }
        switch level[0] {
        case TopicByte.plus: return .singleLevelWildcard
        case TopicByte.hash: return .multiLevelWildcard
        default: return .named
        }
    }

    private mutating func child(of parent: NodeIndex, level: UnsafeBufferPointer<UInt8>, wildcards: Bool) -> NodeIndex {
        switch Self.kind(of: level, wildcards: wildcards) {
        case .singleLevelWildcard:
            if nodes[Int(parent)].plusChild != Self.none { return nodes[Int(parent)].plusChild }
            let node = allocate(Node(parent: parent, kind: .singleLevelWildcard))
            nodes[Int(parent)].plusChild = node
            return node
        case .multiLevelWildcard:
            if nodes[Int(parent)].hashChild != Self.none { return nodes[Int(parent)].hashChild }
            let node = allocate(Node(parent: parent, kind: .multiLevelWildcard))
            nodes[Int(parent)].hashChild = node
            return node
        case .named, .root, .free:
            let key = LevelKey(level)
            if let existing = withView({ $0.namedChild(of: parent, level: key) }) {
                return existing
            }
            var new = Node(parent: parent, kind: .named)
            new.levelHash = key.hash
            new.levelLength = Int32(level.count)
            if level.count <= LevelKey.inlineCapacity {
                new.levelWords = key.words
            } else {
                new.levelWords = (UInt64(levelBytes.count), 0)
                levelBytes.append(contentsOf: level)
            }
            // Link as the first named child.
            new.nextSibling = nodes[Int(parent)].firstChild
            let node = allocate(new)
            if new.nextSibling != Self.none {
                nodes[Int(new.nextSibling)].previousSibling = node
            }
            nodes[Int(parent)].firstChild = node
            insertEdge(node)
            return node
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

    // MARK: - Pruning

    /// Removes `node` and then each ancestor left without payload and children, so that
    /// per-device topics do not leave dead branches behind.
    mutating func prune(from node: NodeIndex) {
        var node = node
        while node != Self.root && nodes[Int(node)].isPrunable {
            let removed = nodes[Int(node)]
            let parent = removed.parent
            switch removed.kind {
            case .named:
                removeEdge(node)
                if removed.previousSibling != Self.none {
                    nodes[Int(removed.previousSibling)].nextSibling = removed.nextSibling
                } else {
                    nodes[Int(parent)].firstChild = removed.nextSibling
                }
                if removed.nextSibling != Self.none {
                    nodes[Int(removed.nextSibling)].previousSibling = removed.previousSibling
                }
                if removed.levelLength > LevelKey.inlineCapacity {
                    garbageByteCount += Int(removed.levelLength)
                }
            case .singleLevelWildcard:
                nodes[Int(parent)].plusChild = Self.none
            case .multiLevelWildcard:
                nodes[Int(parent)].hashChild = Self.none
            case .root, .free:
                preconditionFailure("pruning a \(removed.kind) node")
            }
            nodes[Int(node)] = Node(parent: Self.none, kind: .free)
            freeSlots.append(node)
            node = parent
        }
        if garbageByteCount > 4096 && garbageByteCount > levelBytes.count / 2 {
            compactLevelBytes()
        }
    }

    private mutating func compactLevelBytes() {
        var compacted: [UInt8] = []
        compacted.reserveCapacity(levelBytes.count - garbageByteCount)
        for index in nodes.indices
        where nodes[index].kind == .named && nodes[index].levelLength > LevelKey.inlineCapacity {
            let start = Int(nodes[index].levelWords.0)
            nodes[index].levelWords.0 = UInt64(compacted.count)
            compacted.append(contentsOf: levelBytes[start..<start + Int(nodes[index].levelLength)])
        }
        levelBytes = compacted
        garbageByteCount = 0
    }

    // MARK: - Edge table

    private mutating func insertEdge(_ node: NodeIndex) {
        if (edgeCount + 1) * 2 > edges.count {
            edges = [UInt64](repeating: Self.emptyEdge, count: edges.count * 2)
            edgeCount = 0
            for index in nodes.indices where nodes[index].kind == .named && NodeIndex(index) != node {
                placeEdge(NodeIndex(index))
            }
        }
        placeEdge(node)
    }

    private func edgeHash(of node: NodeIndex) -> UInt64 {
        Self.edgeHash(parent: nodes[Int(node)].parent, levelHash: nodes[Int(node)].levelHash)
    }

    private mutating func placeEdge(_ node: NodeIndex) {
        let mask = edges.count - 1
        let hashOfNode = edgeHash(of: node)
        var slot = Int(truncatingIfNeeded: hashOfNode) & mask
        while edges[slot] != Self.emptyEdge {
            slot = (slot + 1) & mask
        }
        edges[slot] = Self.edge(tag: hashOfNode, child: node)
        edgeCount += 1
    }

    /// Removes an edge with backward-shift deletion, so probing never needs tombstones.
    private mutating func removeEdge(_ node: NodeIndex) {
        let mask = edges.count - 1
        let hashOfNode = edgeHash(of: node)
        let edge = Self.edge(tag: hashOfNode, child: node)
        var hole = Int(truncatingIfNeeded: hashOfNode) & mask
        while edges[hole] != edge {
            precondition(edges[hole] != Self.emptyEdge, "edge missing from the table")
            hole = (hole + 1) & mask
        }
        var next = (hole + 1) & mask
        while edges[next] != Self.emptyEdge {
            let home = Int(truncatingIfNeeded: edgeHash(of: NodeIndex(truncatingIfNeeded: edges[next]))) & mask
            // Move the entry back into the hole unless its home lies cyclically in (hole, next].
            let homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeInRange {
                edges[hole] = edges[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        edges[hole] = Self.emptyEdge
        edgeCount -= 1
    }
}
