import NIOCore

/// The compression codec of a record batch: bits 0-2 of the batch attributes
/// ("0: no compression, 1: gzip, 2: snappy, 3: lz4, 4: zstd", Kafka documentation, "Record Batch";
/// zstd since KIP-110).
public enum CompressionCodec: Int8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// No compression (Kafka's `none`; named so it never reads as `Optional.none`).
    case uncompressed = 0
    /// gzip (zlib deflate with a gzip header).
    case gzip = 1
    /// Snappy, in the xerial/Java block framing Kafka clients write.
    case snappy = 2
    /// LZ4 frame format.
    case lz4 = 3
    /// Zstandard.
    case zstd = 4

    /// Kafka's name, as in `compression.type` ("none", "gzip", "snappy", "lz4", "zstd").
    public var name: String {
        switch self {
        case .uncompressed: return "none"
        case .gzip: return "gzip"
        case .snappy: return "snappy"
        case .lz4: return "lz4"
        case .zstd: return "zstd"
        }
    }

    /// The codec for a Kafka `compression.type` name, or nil.
    public init?(name: String) {
        guard let codec = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = codec
    }

    public var description: String { self.name }

    /// The largest decompressed size accepted by default for one batch (64 MiB): a hostile or
    /// corrupt batch cannot make the decoder allocate more than this.
    public static let defaultMaximumDecompressedSize = 64 * 1024 * 1024

    /// Compresses the readable bytes of `input`. `level` is the codec's own level
    /// (gzip 1-9, lz4 0-12, zstd 1-22); nil uses the codec's default.
    public func compress(
        _ input: ByteBuffer,
        level: Int32? = nil,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws -> ByteBuffer {
        switch self {
        case .uncompressed: return input
        case .gzip: return try Gzip.compress(input, level: level, allocator: allocator)
        case .snappy: return try Snappy.compress(input, allocator: allocator)
        case .lz4: return try LZ4.compress(input, level: level, allocator: allocator)
        case .zstd: return try Zstd.compress(input, level: level, allocator: allocator)
        }
    }

    /// Decompresses the readable bytes of `input`, producing at most `maximumSize` bytes
    /// (more throws ``KafkaProtocolError/Code/decompressedSizeLimitExceeded``).
    public func decompress(
        _ input: ByteBuffer,
        maximumSize: Int = CompressionCodec.defaultMaximumDecompressedSize,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws -> ByteBuffer {
        switch self {
        case .uncompressed:
            guard input.readableBytes <= maximumSize else { throw Self.limitExceeded(maximumSize) }
            return input
        case .gzip: return try Gzip.decompress(input, maximumSize: maximumSize, allocator: allocator)
        case .snappy: return try Snappy.decompress(input, maximumSize: maximumSize, allocator: allocator)
        case .lz4: return try LZ4.decompress(input, maximumSize: maximumSize, allocator: allocator)
        case .zstd: return try Zstd.decompress(input, maximumSize: maximumSize, allocator: allocator)
        }
    }

    static func limitExceeded(_ maximumSize: Int) -> KafkaProtocolError {
        KafkaProtocolError(
            code: .decompressedSizeLimitExceeded,
            detail: "decompressed data exceeds the limit of \(maximumSize) bytes"
        )
    }
}

/// A growing output buffer that never exceeds a maximum size, shared by the decompressors.
struct BoundedOutput {
    var buffer: ByteBuffer
    let maximumSize: Int

    init(allocator: ByteBufferAllocator, expectedSize: Int, maximumSize: Int) {
        self.maximumSize = maximumSize
        self.buffer = allocator.buffer(capacity: max(min(expectedSize, maximumSize), 64))
    }

    /// Makes room for more output when none is left: grows the buffer, at most up to the limit.
    /// Throws when the limit is reached.
    mutating func ensureWritableSpace() throws {
        guard self.allowedWritableBytes == 0 else { return }
        let written = self.buffer.readableBytes
        guard written < self.maximumSize else { throw CompressionCodec.limitExceeded(self.maximumSize) }
        let target = min(max(written * 2, 4096), self.maximumSize)
        self.buffer.reserveCapacity(minimumWritableBytes: target - written)
    }

    /// Bytes that may still be written: the writable space clipped to the limit.
    var allowedWritableBytes: Int {
        min(self.buffer.writableBytes, self.maximumSize - self.buffer.readableBytes)
    }
}
