import NIOCore

/// A Kafka record kept in the spool until Kafka acknowledged it (MQTT → Kafka bridge).
///
/// The store knows nothing of Kafka: a record is its destination topic, key, value, headers and
/// timestamp, exactly as the bridge built them when the MQTT message arrived, so a replay sends
/// the same bytes the direct path would have sent.
public struct SpooledRecord: Sendable, Hashable {
    /// A Kafka record header: a name and an optional value.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: ByteBuffer?

        public init(name: String, value: ByteBuffer?) {
            self.name = name
            self.value = value
        }
    }

    /// Orders the spool: records are replayed by increasing sequence, which is their MQTT
    /// arrival order.
    public var sequence: Int64
    /// The bridge mapping that produced the record.
    public var mapping: String
    public var topic: String
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [Header]
    /// Kafka timestamp: the MQTT arrival time, milliseconds since the epoch.
    public var timestamp: Int64

    public init(
        sequence: Int64,
        mapping: String,
        topic: String,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [Header],
        timestamp: Int64
    ) {
        self.sequence = sequence
        self.mapping = mapping
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// Bytes the record takes in the spool's accounting (key, value, headers).
    public var size: Int {
        (key?.readableBytes ?? 0) + (value?.readableBytes ?? 0)
            + headers.reduce(0) { $0 + $1.name.utf8.count + ($1.value?.readableBytes ?? 0) }
    }
}

/// What the spool held for one mapping when the store was opened.
public struct SpoolSummary: Sendable, Hashable {
    public var records: Int
    public var bytes: Int
    /// Timestamp (Unix ms) of the oldest record; nil when empty.
    public var oldestTimestamp: Int64?

    public init(records: Int, bytes: Int, oldestTimestamp: Int64?) {
        self.records = records
        self.bytes = bytes
        self.oldestTimestamp = oldestTimestamp
    }
}

/// Headers as one blob: for each header a 4-byte name length, the name, a 4-byte value length
/// (-1 for a null value) and the value, all big-endian, after a 4-byte count.
enum SpooledHeaderCoding {
    static func encode(_ headers: [SpooledRecord.Header]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(headers.count))
        for header in headers {
            buffer.writeInteger(UInt32(header.name.utf8.count))
            buffer.writeString(header.name)
            if let value = header.value {
                buffer.writeInteger(Int32(value.readableBytes))
                buffer.writeImmutableBuffer(value)
            } else {
                buffer.writeInteger(Int32(-1))
            }
        }
        return Array(buffer.readableBytesView)
    }

    /// nil when the blob is not what `encode` wrote.
    static func decode(_ bytes: [UInt8]) -> [SpooledRecord.Header]? {
        var buffer = ByteBuffer(bytes: bytes)
        guard let count = buffer.readInteger(as: UInt32.self) else { return nil }
        var headers: [SpooledRecord.Header] = []
        for _ in 0..<count {
            guard let nameLength = buffer.readInteger(as: UInt32.self),
                let name = buffer.readString(length: Int(nameLength)),
                let valueLength = buffer.readInteger(as: Int32.self)
            else { return nil }
            if valueLength < 0 {
                headers.append(.init(name: name, value: nil))
            } else {
                guard let value = buffer.readSlice(length: Int(valueLength)) else { return nil }
                headers.append(.init(name: name, value: value))
            }
        }
        return buffer.readableBytes == 0 ? headers : nil
    }
}
