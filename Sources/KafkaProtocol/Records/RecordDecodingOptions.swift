import NIOCore

/// Limits and checks for decoding record data from a Fetch response.
public struct RecordDecodingOptions: Sendable {
    /// The largest decompressed records section of one batch; larger throws
    /// ``KafkaProtocolError/Code/decompressedSizeLimitExceeded``. Default 64 MiB.
    public var maximumDecompressedSize: Int
    /// Whether to verify CRC32C (v2) / CRC32 (v0/v1) checksums. Default true; librdkafka's
    /// `check.crcs` defaults to false for speed, the Java consumer's to true.
    public var verifyChecksums: Bool
    /// Allocator for decompressed data.
    public var allocator: ByteBufferAllocator

    public init(
        maximumDecompressedSize: Int = CompressionCodec.defaultMaximumDecompressedSize,
        verifyChecksums: Bool = true,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) {
        self.maximumDecompressedSize = maximumDecompressedSize
        self.verifyChecksums = verifyChecksums
        self.allocator = allocator
    }
}

/// The record batches decoded from one partition's record data.
public struct DecodedRecordBatches: Hashable, Sendable {
    /// The complete batches, in order.
    public var batches: [RecordBatch]
    /// Bytes at the end that did not form a complete batch. Brokers cut the last batch of a
    /// Fetch response at the size limit; the consumer fetches it again from ``nextOffset``.
    public var truncatedTrailingBytes: Int

    public init(batches: [RecordBatch], truncatedTrailingBytes: Int) {
        self.batches = batches
        self.truncatedTrailingBytes = truncatedTrailingBytes
    }

    /// The offset after the last complete batch, or nil if there was none.
    public var nextOffset: Int64? { self.batches.last?.nextOffset }
}
