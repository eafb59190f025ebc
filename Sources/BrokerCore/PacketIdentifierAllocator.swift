/// Hands out the Packet Identifiers of the packets a server sends to one client (QoS 1/2 PUBLISH):
/// non-zero, not in use by another in-flight packet, cycling through 1…65535 so that a freed
/// identifier is not reused at once (MQTT 5.0 §2.2.1, MQTT-2.2.1-3/-4).
///
/// Few identifiers are in use at a time in a normal session (at most the client's Receive
/// Maximum), so they are kept in a set; a session that holds thousands switches to a 8 KiB
/// bitmap, so finding a free identifier stays fast even when nearly all are taken.
public struct PacketIdentifierAllocator: Sendable {
    private enum Storage: Sendable {
        case sparse(Set<UInt16>)
        /// Bit `id` of the 65,536 bits is set when `id` is in use; bit 0 is always set.
        case dense([UInt64])
    }

    /// How many identifiers exist: 1…65535.
    public static let capacity = Int(UInt16.max)

    /// In-use count beyond which the bitmap replaces the set.
    private static let denseThreshold = 2048

    private var storage = Storage.sparse([])
    /// Where the search for the next free identifier starts.
    private var nextCandidate: UInt16 = 1

    /// The number of identifiers currently in use.
    public private(set) var inUseCount = 0

    /// No identifier in use; the first one handed out is 1.
    public init() {}

    /// Whether `identifier` is currently in use.
    public func isInUse(_ identifier: UInt16) -> Bool {
        guard identifier != 0 else { return false }
        switch storage {
        case .sparse(let set): return set.contains(identifier)
        case .dense(let words): return words[Int(identifier) >> 6] & (1 << (UInt64(identifier) & 63)) != 0
        }
    }

    /// Takes the next free identifier after the one handed out last, or nil when all 65,535 are in
    /// use (the caller queues the message until an acknowledgement frees one).
    public mutating func allocate() -> UInt16? {
        guard inUseCount < Self.capacity else { return nil }
        let identifier: UInt16
        switch storage {
        case .sparse(let set):
            var candidate = nextCandidate
            while set.contains(candidate) {
                candidate = Self.successor(of: candidate)
            }
            identifier = candidate
        case .dense(let words):
            identifier = Self.firstClear(in: words, from: nextCandidate)
        }
        let inserted = markInUse(identifier)
        assert(inserted)
        nextCandidate = Self.successor(of: identifier)
        return identifier
    }

    /// Marks `identifier` as in use without allocating it, for a session restored with packets in
    /// flight. Returns false when it was already in use or is 0.
    @discardableResult
    public mutating func markInUse(_ identifier: UInt16) -> Bool {
        guard identifier != 0, !isInUse(identifier) else { return false }
        switch storage {
        case .sparse(var set):
            storage = .sparse([])  // keep `set` uniquely referenced while it changes
            set.insert(identifier)
            storage = set.count > Self.denseThreshold ? .dense(Self.bitmap(of: set)) : .sparse(set)
        case .dense(var words):
            storage = .sparse([])
            words[Int(identifier) >> 6] |= 1 << (UInt64(identifier) & 63)
            storage = .dense(words)
        }
        inUseCount += 1
        return true
    }

    /// Frees `identifier` when its flow completed (PUBACK, PUBCOMP, or PUBREC with a failure code).
    /// Returns false when it was not in use, which the caller may treat as 0x92 Packet Identifier
    /// not found.
    @discardableResult
    public mutating func release(_ identifier: UInt16) -> Bool {
        guard isInUse(identifier) else { return false }
        inUseCount -= 1
        switch storage {
        case .sparse(var set):
            storage = .sparse([])
            set.remove(identifier)
            storage = .sparse(set)
        case .dense(var words):
            storage = .sparse([])
            if inUseCount > 0 {
                words[Int(identifier) >> 6] &= ~(1 << (UInt64(identifier) & 63))
                storage = .dense(words)
            }
        // Empty again: give the bitmap back.
        }
        return true
    }

    private static func successor(of identifier: UInt16) -> UInt16 {
        identifier == UInt16.max ? 1 : identifier + 1
    }

    private static func bitmap(of set: Set<UInt16>) -> [UInt64] {
        var words = [UInt64](repeating: 0, count: 1024)
        words[0] = 1  // identifier 0 is never handed out
        for identifier in set {
            words[Int(identifier) >> 6] |= 1 << (UInt64(identifier) & 63)
        }
        return words
    }

    /// The first clear bit at or after `start`, wrapping around; one exists (`inUseCount` says so).
    private static func firstClear(in words: [UInt64], from start: UInt16) -> UInt16 {
        let startWord = Int(start) >> 6
        // Free bits of the first word at or after `start`.
        let firstFree = ~words[startWord] & (~UInt64(0) << (UInt64(start) & 63))
        if firstFree != 0 {
            return UInt16(startWord << 6 + firstFree.trailingZeroBitCount)
        }
        for step in 1...words.count {
            let word = (startWord + step) % words.count
            let free = ~words[word]
            if free != 0 {
                return UInt16(word << 6 + free.trailingZeroBitCount)
            }
        }
        preconditionFailure("no free packet identifier although fewer than 65535 are in use")
    }
}
