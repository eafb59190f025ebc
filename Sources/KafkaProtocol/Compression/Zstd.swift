import CZstd
import NIOCore

/// Zstandard (KIP-110). Decompression takes the single-shot path when the frame header states
/// the content size (after checking it against the limit) and streams otherwise — librdkafka and
/// the Java client may write frames without a content size.
enum Zstd {
    /// Kafka's default zstd level (`compression.zstd.level`, KIP-390).
    static let defaultLevel: Int32 = 3
    /// The largest window a frame may ask for: 2^27 (128 MiB), zstd's own default limit. It bounds
    /// the decoder's memory, which a hostile frame header would otherwise choose.
    static let windowLogMax: Int32 = 27

    static func compress(_ input: ByteBuffer, level: Int32?, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let bound = ZSTD_compressBound(input.readableBytes)
        var output = allocator.buffer(capacity: bound)
        var result = 0
        _ = input.withUnsafeReadableBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                result = ZSTD_compress(
                    target.baseAddress,
                    target.count,
                    source.baseAddress,
                    source.count,
                    level ?? Self.defaultLevel
                )
                return ZSTD_isError(result) != 0 ? 0 : result
            }
        }
        guard ZSTD_isError(result) == 0 else {
            throw KafkaProtocolError(code: .compressionFailed, detail: "ZSTD_compress: \(Self.errorName(result))")
        }
        return output
    }

    static func decompress(_ input: ByteBuffer, maximumSize: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let contentSize = input.withUnsafeReadableBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        if tributary_zstd_content_size_error(contentSize) != 0 {
            throw KafkaProtocolError(code: .decompressionFailed, detail: "not a zstd frame")
        }
        guard let context = ZSTD_createDCtx() else {
            throw KafkaProtocolError(code: .decompressionFailed, detail: "ZSTD_createDCtx failed")
        }
        defer { ZSTD_freeDCtx(context) }
        ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.windowLogMax)

        let expected: Int
        if tributary_zstd_content_size_unknown(contentSize) != 0 {
            expected = input.readableBytes * 4
        } else {
            guard contentSize <= UInt64(maximumSize) else { throw CompressionCodec.limitExceeded(maximumSize) }
            expected = Int(contentSize)
        }
        var output = BoundedOutput(allocator: allocator, expectedSize: expected, maximumSize: maximumSize)
        try input.withUnsafeReadableBytes { source in
            var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: 0)
            var lastResult = 0
            while inBuffer.pos < inBuffer.size || lastResult != 0 {
                try output.ensureWritableSpace()
                let allowed = output.allowedWritableBytes
                let before = inBuffer.pos
                var produced = 0
                output.buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { target in
                    var outBuffer = ZSTD_outBuffer(dst: target.baseAddress, size: allowed, pos: 0)
                    lastResult = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                    produced = outBuffer.pos
                    return ZSTD_isError(lastResult) != 0 ? 0 : outBuffer.pos
                }
                guard ZSTD_isError(lastResult) == 0 else {
                    throw KafkaProtocolError(code: .decompressionFailed, detail: "zstd: \(Self.errorName(lastResult))")
                }
                if inBuffer.pos == before && produced == 0 {
                    // With output space available, no progress means the input ended mid-frame.
                    throw KafkaProtocolError(code: .decompressionFailed, detail: "zstd frame is truncated")
                }
            }
        }
        return output.buffer
    }

    private static func errorName(_ code: Int) -> String {
        String(cString: ZSTD_getErrorName(code))
    }
}
