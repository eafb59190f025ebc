import NIOCore

/// A record batch, the unit Kafka stores and ships. Format v2 (magic 2, KIP-98):
///
///     baseOffset: int64
///     batchLength: int32                 (bytes after this field)
///     partitionLeaderEpoch: int32
///     magic: int8 (2)
///     crc: uint32                        (CRC32C of attributes ... end)
///     attributes: int16                  (bits 0-2 compression, 3 timestamp type, 4 transactional,
///                                         5 control, 6 delete horizon)
///     lastOffsetDelta: int32
///     baseTimestamp: int64
///     maxTimestamp: int64
///     producerId: int64
///     producerEpoch: int16
///     baseSequence: int32
///     records: [Record]                  (INT32 count, then the records, compressed as a whole)
///
/// Decoding also accepts message format v0/v1 (magic 0/1), which older topics may still hold:
/// each such message (or compressed wrapper with its inner messages) becomes a `RecordBatch` with
/// its `magic`, and records whose deltas give their absolute offsets and timestamps.
public struct RecordBatch: Hashable, Sendable {
    /// How the batch's timestamps were assigned (attributes bit 3).
    public enum TimestampType: Int8, Hashable, Sendable {
        /// Set by the producer.
        case createTime = 0
        /// Set by the broker when appending (then every record's timestamp is `maxTimestamp`).
        case logAppendTime = 1
    }

    /// The batch attributes (INT16 in v2).
    public struct Attributes: Hashable, Sendable {
        public var compression: CompressionCodec
        public var timestampType: TimestampType
        public var isTransactional: Bool
        /// A control batch holds transaction markers, not data (KIP-98).
        public var isControl: Bool
        /// Bit 6 (KIP-534): the base timestamp holds the delete horizon of a compacted batch.
        public var hasDeleteHorizon: Bool

        public init(
            compression: CompressionCodec = .uncompressed,
            timestampType: TimestampType = .createTime,
            isTransactional: Bool = false,
            isControl: Bool = false,
            hasDeleteHorizon: Bool = false
        ) {
            self.compression = compression
            self.timestampType = timestampType
            self.isTransactional = isTransactional
            self.isControl = isControl
            self.hasDeleteHorizon = hasDeleteHorizon
        }

        /// Decodes attribute bits; codec ids 5-7 are rejected.
        public init(rawValue: Int16) throws {
            guard let codec = CompressionCodec(rawValue: Int8(rawValue & 0x07)) else {
                throw KafkaProtocolError(
                    code: .unsupportedCompression,
                    detail: "compression codec id \(rawValue & 0x07)"
                )
            }
            self.init(
                compression: codec,
                timestampType: rawValue & 0x08 != 0 ? .logAppendTime : .createTime,
                isTransactional: rawValue & 0x10 != 0,
                isControl: rawValue & 0x20 != 0,
                hasDeleteHorizon: rawValue & 0x40 != 0
            )
        }

        /// The INT16 wire value.
        public var rawValue: Int16 {
            var value = Int16(self.compression.rawValue)
            if self.timestampType == .logAppendTime { value |= 0x08 }
            if self.isTransactional { value |= 0x10 }
            if self.isControl { value |= 0x20 }
            if self.hasDeleteHorizon { value |= 0x40 }
            return value
        }
    }

    public var baseOffset: Int64
    /// -1 when unknown (producers send -1; the broker fills it in).
    public var partitionLeaderEpoch: Int32
    /// 2 for record batches; 0 or 1 for decoded legacy messages.
    public var magic: Int8
    public var attributes: Attributes
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    /// -1 unless the producer is idempotent or transactional.
    public var producerID: Int64
    public var producerEpoch: Int16
    /// The sequence number of the first record (idempotence, KIP-98), -1 if none.
    public var baseSequence: Int32
    public var records: [Record]

    public init(
        baseOffset: Int64 = 0,
        partitionLeaderEpoch: Int32 = -1,
        magic: Int8 = 2,
        attributes: Attributes = Attributes(),
        lastOffsetDelta: Int32,
        baseTimestamp: Int64,
        maxTimestamp: Int64,
        producerID: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        records: [Record]
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }

    /// The absolute offset of `record`.
    public func offset(of record: Record) -> Int64 {
        self.baseOffset + Int64(record.offsetDelta)
    }

    /// The timestamp of `record` (ms since the epoch): the broker's append time for
    /// LogAppendTime batches, else base timestamp + delta; -1 for message format v0.
    public func timestamp(of record: Record) -> Int64 {
        if self.magic == 0 { return -1 }
        if self.attributes.timestampType == .logAppendTime { return self.maxTimestamp }
        return self.baseTimestamp + record.timestampDelta
    }

    /// The offset after the batch (where the next fetch continues).
    public var nextOffset: Int64 {
        self.baseOffset + Int64(self.lastOffsetDelta) + 1
    }
}

extension RecordBatch {
    /// Bytes before the records in format v2 (baseOffset ... records count).
    public static let headerSize = 61
    /// Bytes of baseOffset + batchLength, the "log overhead" every entry starts with.
    static let logOverhead = 12
    /// Offset of the magic byte from the start of an entry (same in every format).
    static let magicOffset = 16
    /// Offset of the attributes field, where the CRC32C coverage starts (v2).
    static let attributesOffset = 21
}
