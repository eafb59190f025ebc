import CLZ4
import NIOCore

/// LZ4 in the LZ4 frame format (magic 0x184D2204), through the LZ4F API. Blocks are written
/// independent (as librdkafka does), because Kafka's Java reader (KafkaLZ4BlockInputStream)
/// decompresses each block on its own.
enum LZ4 {
    static func compress(_ input: ByteBuffer, level: Int32?, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.compressionLevel = level ?? 0
        let bound = LZ4F_compressFrameBound(input.readableBytes, &preferences)
        var output = allocator.buffer(capacity: bound)
        var result = 0
        _ = input.withUnsafeReadableBytes { source in
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                result = LZ4F_compressFrame(
                    target.baseAddress,
                    target.count,
                    source.baseAddress,
                    source.count,
                    &preferences
                )
                return LZ4F_isError(result) != 0 ? 0 : result
            }
        }
        guard LZ4F_isError(result) == 0 else {
            throw KafkaProtocolError(code: .compressionFailed, detail: "LZ4F_compressFrame: \(Self.errorName(result))")
        }
        return output
    }

    static func decompress(_ input: ByteBuffer, maximumSize: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw KafkaProtocolError(code: .decompressionFailed, detail: "LZ4F_createDecompressionContext failed")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        var output = BoundedOutput(
            allocator: allocator,
            expectedSize: input.readableBytes * 4,
            maximumSize: maximumSize
        )
        try input.withUnsafeReadableBytes { source in
            var offset = 0
            var hint = 1
            while offset < source.count {
                try output.ensureWritableSpace()
                let allowed = output.allowedWritableBytes
                var result = 0
                var consumed = 0
                var produced = 0
                output.buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { target in
                    produced = allowed
                    consumed = source.count - offset
                    result = LZ4F_decompress(
                        context,
                        target.baseAddress,
                        &produced,
                        source.baseAddress!.advanced(by: offset),
                        &consumed,
                        nil
                    )
                    return LZ4F_isError(result) != 0 ? 0 : produced
                }
                guard LZ4F_isError(result) == 0 else {
                    throw KafkaProtocolError(
                        code: .decompressionFailed,
                        detail: "LZ4F_decompress: \(Self.errorName(result))"
                    )
                }
                guard consumed > 0 || produced > 0 else {
                    throw KafkaProtocolError(code: .decompressionFailed, detail: "lz4 decoder made no progress")
                }
                offset += consumed
                hint = result
            }
            // A non-zero hint means the frame wanted more input than there was.
            guard hint == 0 else {
                throw KafkaProtocolError(code: .decompressionFailed, detail: "lz4 frame is truncated")
            }
        }
        return output.buffer
    }

    private static func errorName(_ code: Int) -> String {
        String(cString: LZ4F_getErrorName(code))
    }
}
