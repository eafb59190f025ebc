/// Why the durable store could not open or write.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// Another process holds the database (two brokers on one `data-dir`).
        case inUse
        /// The database could not be opened, migrated or read.
        case openFailed
        /// A commit failed; acknowledgements that waited for it are never sent.
        case writeFailed
        /// A read after start (the spool, the dead letters) failed.
        case readFailed
        /// The store was closed.
        case closed
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
