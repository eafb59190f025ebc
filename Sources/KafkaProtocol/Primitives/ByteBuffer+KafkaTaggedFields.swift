import NIOCore

// Tagged fields, KIP-482 ("The Kafka Protocol should Support Optional Tagged Fields") and the
// protocol guide: in flexible versions every structure ends with a tagged-field section:
//   UNSIGNED_VARINT number of fields, then per field: UNSIGNED_VARINT tag, UNSIGNED_VARINT size,
//   then `size` bytes of data. Tags are written in ascending order.
// A reader that does not know a tag skips its `size` bytes; that is what makes tagged fields
// safe to add to a version later.

/// The tagged fields a writer attaches to one structure, kept in ascending tag order.
public struct KafkaTaggedFields: Sendable, Hashable {
    /// The fields as (tag, encoded data) pairs, sorted by tag.
    public private(set) var fields: [(tag: UInt32, data: ByteBuffer)] = []

    /// An empty section (the common case: a single 0 byte on the wire).
    public init() {}

    /// Adds a field whose data `write` encodes. Replaces an earlier field with the same tag.
    public mutating func append(tag: UInt32, _ write: (inout ByteBuffer) throws -> Void) rethrows {
        var data = ByteBuffer()
        try write(&data)
        self.fields.removeAll { $0.tag == tag }
        let index = self.fields.firstIndex { $0.tag > tag } ?? self.fields.endIndex
        self.fields.insert((tag, data), at: index)
    }

    /// Whether the section holds no field.
    public var isEmpty: Bool { self.fields.isEmpty }

    public static func == (lhs: KafkaTaggedFields, rhs: KafkaTaggedFields) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.tag == $1.tag && $0.data == $1.data }
    }

    public func hash(into hasher: inout Hasher) {
        for field in self.fields {
            hasher.combine(field.tag)
            hasher.combine(field.data)
        }
    }
}

extension ByteBuffer {
    /// Reads a tagged-field section. `decodeKnown(tag, &data)` decodes a tag it knows and returns
    /// true, or returns false to skip it; `data` is exactly that field's bytes, and a known field
    /// must consume all of them.
    public mutating func readKafkaTaggedFields(
        _ decodeKnown: (UInt32, inout ByteBuffer) throws -> Bool = { _, _ in false }
    ) throws {
        let count = try self.readKafkaUnsignedVarint()
        // Each field takes at least 2 bytes (tag and size); reject counts the input cannot hold.
        guard Int64(count) <= Int64(self.readableBytes / 2) else {
            throw KafkaProtocolError.invalidLength(
                "tagged field count",
                length: Int64(count),
                available: self.readableBytes
            )
        }
        for _ in 0..<count {
            let tag = try self.readKafkaUnsignedVarint()
            let size = try self.readKafkaUnsignedVarint()
            var data = try self.readKafkaByteSlice(length: Int64(size), "tagged field")
            let known = try withKafkaContext("tag \(tag)") { try decodeKnown(tag, &data) }
            if known, data.readableBytes != 0 {
                throw KafkaProtocolError(
                    code: .trailingBytes,
                    detail: "tagged field \(tag) left \(data.readableBytes) of \(size) bytes unread"
                )
            }
        }
    }

    /// Writes an empty tagged-field section (one 0 byte).
    @discardableResult
    public mutating func writeKafkaEmptyTaggedFields() -> Int {
        self.writeKafkaUnsignedVarint(0)
    }

    /// Writes a tagged-field section.
    @discardableResult
    public mutating func writeKafkaTaggedFields(_ fields: KafkaTaggedFields) -> Int {
        var written = self.writeKafkaUnsignedVarlong(UInt64(fields.fields.count))
        for field in fields.fields {
            var data = field.data
            written += self.writeKafkaUnsignedVarint(field.tag)
            written += self.writeKafkaUnsignedVarlong(UInt64(data.readableBytes))
            written += self.writeBuffer(&data)
        }
        return written
    }
}
