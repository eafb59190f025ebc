import CZlib
import NIOCore

/// gzip through zlib: `deflateInit2` with windowBits 15 + 16 writes the gzip header Kafka's Java
/// client (GZIPOutputStream) and librdkafka write; inflate with windowBits 15 + 32 accepts gzip or
/// zlib framing, and concatenated gzip members.
enum Gzip {
    static func compress(_ input: ByteBuffer, level: Int32?, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard input.readableBytes <= Int(UInt32.max) else {
            throw KafkaProtocolError(code: .compressionFailed, detail: "gzip input over 4 GiB")
        }
        var stream = z_stream()
        guard tributary_deflate_init_gzip(&stream, level ?? Z_DEFAULT_COMPRESSION) == Z_OK else {
            throw KafkaProtocolError(code: .compressionFailed, detail: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.readableBytes)))
        var output = allocator.buffer(capacity: bound)
        let result: Int32 = input.withUnsafeReadableBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            var code: Int32 = Z_OK
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                code = deflate(&stream, Z_FINISH)
                return target.count - Int(stream.avail_out)
            }
            return code
        }
        guard result == Z_STREAM_END else {
            throw KafkaProtocolError(code: .compressionFailed, detail: "deflate returned \(result)")
        }
        return output
    }

    static func decompress(_ input: ByteBuffer, maximumSize: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        guard input.readableBytes <= Int(UInt32.max) else {
            throw KafkaProtocolError(code: .decompressionFailed, detail: "gzip input over 4 GiB")
        }
        var stream = z_stream()
        guard tributary_inflate_init_auto(&stream) == Z_OK else {
            throw KafkaProtocolError(code: .decompressionFailed, detail: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = BoundedOutput(
            allocator: allocator,
            expectedSize: input.readableBytes * 4,
            maximumSize: maximumSize
        )
        try input.withUnsafeReadableBytes { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                try output.ensureWritableSpace()
                let allowed = output.allowedWritableBytes
                var code: Int32 = Z_OK
                output.buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { target in
                    stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(allowed)
                    code = inflate(&stream, Z_NO_FLUSH)
                    return allowed - Int(stream.avail_out)
                }
                switch code {
                case Z_STREAM_END:
                    // Another gzip member may follow (1f 8b); anything else after the end is ignored,
                    // as gzip(1) does with trailing garbage.
                    guard stream.avail_in >= 2, stream.next_in[0] == 0x1F, stream.next_in[1] == 0x8B else { return }
                    guard inflateReset(&stream) == Z_OK else {
                        throw KafkaProtocolError(code: .decompressionFailed, detail: "inflateReset failed")
                    }
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw KafkaProtocolError(code: .decompressionFailed, detail: "gzip stream is truncated")
                case Z_BUF_ERROR:
                    continue  // the output was full; ensureWritableSpace grows it or throws at the limit
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "code \(code)"
                    throw KafkaProtocolError(code: .decompressionFailed, detail: "inflate: \(message)")
                }
            }
        }
        return output.buffer
    }
}
