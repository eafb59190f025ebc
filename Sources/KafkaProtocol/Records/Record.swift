import NIOCore

/// One record inside a RecordBatch v2 (Kafka documentation, "Record"; KIP-98):
///
///     length: varint
///     attributes: int8 (unused, 0)
///     timestampDelta: varlong
///     offsetDelta: varint
///     keyLength: varint (-1 = null), key: byte[]
///     valueLength: varint (-1 = null), value: byte[]
///     Headers => [Header] (count as varint)
///
/// Offsets and timestamps are deltas from the batch; ``RecordBatch/offset(of:)`` and
/// ``RecordBatch/timestamp(of:)`` give the absolute values. Keys and values decoded from a batch
/// are slices of the (decompressed) batch, not copies.
public struct Record: Hashable, Sendable {
    public var attributes: Int8
    public var timestampDelta: Int64
    public var offsetDelta: Int32
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(
        attributes: Int8 = 0,
        timestampDelta: Int64,
        offsetDelta: Int32,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader] = []
    ) {
        self.attributes = attributes
        self.timestampDelta = timestampDelta
        self.offsetDelta = offsetDelta
        self.key = key
        self.value = value
        self.headers = headers
    }
}

extension Record {
    /// The smallest encoded record: length, attributes, timestamp delta, offset delta, key
    /// length, value length and header count, one byte each.
    static let minimumEncodedSize = 7

    /// Reads one record (with its length prefix); the record must fill its length exactly.
    static func read(from buffer: inout ByteBuffer) throws -> Record {
        let length = try buffer.readKafkaVarint()
        var body = try buffer.readKafkaByteSlice(length: Int64(length), "record")
        let attributes = try body.readKafkaInt8()
        let timestampDelta = try body.readKafkaVarlong()
        let offsetDelta = try body.readKafkaVarint()
        let key = try Self.readVarintBytes(from: &body, "record key")
        let value = try Self.readVarintBytes(from: &body, "record value")
        let headerCount = try body.readKafkaVarint()
        // A header takes at least 2 bytes (key length and value length).
        guard headerCount >= 0, Int(headerCount) <= body.readableBytes / 2 else {
            throw KafkaProtocolError.invalidLength(
                "record header count",
                length: Int64(headerCount),
                available: body.readableBytes
            )
        }
        var headers: [RecordHeader] = []
        for _ in 0..<headerCount {
            let keyLength = try body.readKafkaVarint()
            guard keyLength >= 0, Int(keyLength) <= body.readableBytes else {
                throw KafkaProtocolError.invalidLength(
                    "header key",
                    length: Int64(keyLength),
                    available: body.readableBytes
                )
            }
            let key = body.readString(length: Int(keyLength))!
            headers.append(RecordHeader(key: key, value: try Self.readVarintBytes(from: &body, "header value")))
        }
        guard body.readableBytes == 0 else {
            throw KafkaProtocolError(code: .trailingBytes, detail: "\(body.readableBytes) bytes left inside a record")
        }
        return Record(
            attributes: attributes,
            timestampDelta: timestampDelta,
            offsetDelta: offsetDelta,
            key: key,
            value: value,
            headers: headers
        )
    }

    private static func readVarintBytes(from buffer: inout ByteBuffer, _ what: StaticString) throws -> ByteBuffer? {
        let length = try buffer.readKafkaVarint()
        if length == -1 { return nil }
        return try buffer.readKafkaByteSlice(length: Int64(length), what)
    }

    /// Writes one record with its length prefix.
    static func write(
        attributes: Int8 = 0,
        timestampDelta: Int64,
        offsetDelta: Int32,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader],
        into buffer: inout ByteBuffer
    ) throws {
        func bytesSize(_ bytes: ByteBuffer?) throws -> Int {
            guard let bytes else { return 1 }
            guard bytes.readableBytes <= Int(Int32.max) else {
                throw KafkaProtocolError(code: .invalidLength, detail: "record field of \(bytes.readableBytes) bytes")
            }
            return KafkaVarint.size(Int32(bytes.readableBytes)) + bytes.readableBytes
        }
        var size = 1 + KafkaVarint.size(timestampDelta) + KafkaVarint.size(offsetDelta)
        size += try bytesSize(key) + bytesSize(value)
        size += KafkaVarint.size(Int32(clamping: headers.count))
        for header in headers {
            let keyLength = header.key.utf8.count
            size += KafkaVarint.size(Int32(clamping: keyLength)) + keyLength + (try bytesSize(header.value))
        }
        guard size <= Int(Int32.max) else {
            throw KafkaProtocolError(code: .invalidLength, detail: "record of \(size) bytes")
        }
        buffer.reserveCapacity(minimumWritableBytes: size + 5)
        buffer.writeKafkaVarint(Int32(size))
        buffer.writeKafkaInt8(attributes)
        buffer.writeKafkaVarlong(timestampDelta)
        buffer.writeKafkaVarint(offsetDelta)
        Self.writeVarintBytes(key, into: &buffer)
        Self.writeVarintBytes(value, into: &buffer)
        buffer.writeKafkaVarint(Int32(headers.count))
        for header in headers {
            buffer.writeKafkaVarint(Int32(header.key.utf8.count))
            buffer.writeString(header.key)
            Self.writeVarintBytes(header.value, into: &buffer)
        }
    }

    private static func writeVarintBytes(_ bytes: ByteBuffer?, into buffer: inout ByteBuffer) {
        guard var bytes else {
            buffer.writeKafkaVarint(-1)
            return
        }
        buffer.writeKafkaVarint(Int32(bytes.readableBytes))
        buffer.writeBuffer(&bytes)
    }
}
