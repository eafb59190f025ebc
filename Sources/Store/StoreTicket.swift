/// The position of a submitted change in the store's write order.
///
/// Every `DurableStore.submit` returns the ticket of its last operation; once
/// `DurableStore.committedTicket` reaches it, that change and everything submitted before it are
/// on disk. A connection keeps the highest ticket its pending acknowledgements depend on and
/// sends them only after that ticket committed.
public struct StoreTicket: Sendable, Hashable, Comparable {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Depends on nothing: always committed.
    public static let none = StoreTicket(0)

    public static func < (lhs: StoreTicket, rhs: StoreTicket) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Raises `self` to `other` when `other` is later.
    public mutating func include(_ other: StoreTicket) {
        if other > self { self = other }
    }
}
