import NIOCore

/// A record header (KIP-82): a string key and a nullable value.
///
///     headerKeyLength: varint, headerKey: String, headerValueLength: varint (-1 = null), Value: byte[]
///     (Kafka documentation, "Record Header")
public struct RecordHeader: Hashable, Sendable {
    public var key: String
    public var value: ByteBuffer?

    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }
}
