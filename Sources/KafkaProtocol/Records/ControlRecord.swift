import NIOCore

/// The key of a record in a control batch (ControlRecordType.json, KIP-98):
///
///     version INT16 (0), type INT16 (0 = ABORT, 1 = COMMIT)
///
/// Consumers skip control batches; read-committed consumers use ABORT markers with the Fetch
/// response's aborted transactions to drop aborted records.
public struct ControlRecordType: Hashable, Sendable {
    public var version: Int16
    public var type: Int16

    public init(version: Int16 = 0, type: Int16) {
        self.version = version
        self.type = type
    }

    /// The transaction was aborted.
    public static let abort = ControlRecordType(type: 0)
    /// The transaction was committed.
    public static let commit = ControlRecordType(type: 1)

    /// Decodes the key of a control record.
    public init(key: ByteBuffer) throws {
        var key = key
        self.version = try key.readKafkaInt16()
        self.type = try key.readKafkaInt16()
    }
}
