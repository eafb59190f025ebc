/// Names one shared subscription: `$share/{shareName}/{filter}`.
public struct SharedGroupKey: Sendable, Hashable {
    public var shareName: String
    public var filter: String

    public init(shareName: String, filter: String) {
        self.shareName = shareName
        self.filter = filter
    }
}
