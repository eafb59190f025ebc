import NIOCore

/// Builds one RecordBatch v2 record by record, the way a producer accumulates a batch: records
/// are encoded as they are appended (so ``sizeInBytes`` is known for batch-size limits), and
/// ``build(baseOffset:partitionLeaderEpoch:producerID:producerEpoch:baseSequence:)`` compresses
/// them and writes header and CRC32C.
///
/// Offsets deltas are 0, 1, 2, ...; timestamps are kept as deltas from the first record's.
/// Idempotence fields are given at build time, because a producer assigns sequence numbers when
/// it sends the batch (and must resend a retried batch with the same ones).
public struct RecordBatchBuilder: Sendable {
    public let compression: CompressionCodec
    public let compressionLevel: Int32?
    public let isTransactional: Bool
    private let allocator: ByteBufferAllocator
    private var records: ByteBuffer
    private var baseTimestamp: Int64?
    private var maxTimestamp: Int64 = -1

    /// The number of records appended.
    public private(set) var recordCount: Int32 = 0

    public init(
        compression: CompressionCodec = .uncompressed,
        compressionLevel: Int32? = nil,
        isTransactional: Bool = false,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.isTransactional = isTransactional
        self.allocator = allocator
        self.records = allocator.buffer(capacity: 1024)
    }

    /// The uncompressed size of the batch so far (header plus encoded records).
    public var sizeInBytes: Int { RecordBatch.headerSize + self.records.readableBytes }

    /// Whether no record was appended yet.
    public var isEmpty: Bool { self.recordCount == 0 }

    /// Appends a record. `timestamp` is milliseconds since the epoch (CreateTime).
    public mutating func append(
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader] = [],
        timestamp: Int64
    ) throws {
        guard self.recordCount < Int32.max else {
            throw KafkaProtocolError(code: .invalidLength, detail: "too many records for one batch")
        }
        let base = self.baseTimestamp ?? timestamp
        self.baseTimestamp = base
        try Record.write(
            timestampDelta: timestamp &- base,
            offsetDelta: self.recordCount,
            key: key,
            value: value,
            headers: headers,
            into: &self.records
        )
        self.maxTimestamp = max(self.maxTimestamp, timestamp)
        self.recordCount += 1
    }

    /// Encodes the batch. A producer sends baseOffset 0 and partitionLeaderEpoch -1 (the broker
    /// assigns both); an idempotent producer passes its producer id, epoch and the sequence
    /// number of the first record.
    public func build(
        baseOffset: Int64 = 0,
        partitionLeaderEpoch: Int32 = -1,
        producerID: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1
    ) throws -> ByteBuffer {
        var output = self.allocator.buffer(capacity: self.sizeInBytes)
        let header = RecordBatch(
            baseOffset: baseOffset,
            partitionLeaderEpoch: partitionLeaderEpoch,
            attributes: RecordBatch.Attributes(compression: self.compression, isTransactional: self.isTransactional),
            lastOffsetDelta: max(self.recordCount - 1, 0),
            baseTimestamp: self.baseTimestamp ?? -1,
            maxTimestamp: self.maxTimestamp,
            producerID: producerID,
            producerEpoch: producerEpoch,
            baseSequence: baseSequence,
            records: []
        )
        try RecordBatch.write(
            header: header,
            recordCount: self.recordCount,
            uncompressedRecords: self.records,
            compressionLevel: self.compressionLevel,
            into: &output,
            allocator: self.allocator
        )
        return output
    }
}
