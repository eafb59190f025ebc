import CSnappy
import NIOCore

/// Snappy as Kafka clients frame it. The Java client writes snappy-java's SnappyOutputStream
/// ("xerial") format: the 8-byte magic `\x82SNAPPY\x00`, INT32 version (1) and INT32 minimum
/// compatible version (1), then blocks of [INT32 big-endian compressed length][raw snappy block].
/// librdkafka writes the same framing and reads both framed and raw snappy
/// (rd_kafka_snappy_java_uncompress); we do likewise.
enum Snappy {
    static let magic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// SnappyOutputStream's default block size (32 KiB).
    static let blockSize = 32 * 1024
    static let headerSize = 16

    static func compress(_ input: ByteBuffer, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var output = allocator.buffer(
            capacity: Self.headerSize + snappy_max_compressed_length(input.readableBytes) + 64
        )
        output.writeBytes(Self.magic)
        output.writeInteger(Int32(1), endianness: .big)
        output.writeInteger(Int32(1), endianness: .big)
        var remaining = input
        while remaining.readableBytes > 0 {
            let block = remaining.readSlice(length: min(Self.blockSize, remaining.readableBytes))!
            let bound = snappy_max_compressed_length(block.readableBytes)
            let lengthIndex = output.writerIndex
            output.writeInteger(Int32(0), endianness: .big)
            var status = SNAPPY_OK
            let written = block.withUnsafeReadableBytes { source in
                output.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { target in
                    var length = target.count
                    status = snappy_compress(
                        source.bindMemory(to: CChar.self).baseAddress,
                        source.count,
                        target.bindMemory(to: CChar.self).baseAddress,
                        &length
                    )
                    return status == SNAPPY_OK ? length : 0
                }
            }
            guard status == SNAPPY_OK else {
                throw KafkaProtocolError(code: .compressionFailed, detail: "snappy_compress returned \(status)")
            }
            output.setInteger(Int32(written), at: lengthIndex, endianness: .big)
        }
        return output
    }

    static func decompress(_ input: ByteBuffer, maximumSize: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        let isFramed =
            input.readableBytes >= Self.headerSize
            && input.getBytes(at: input.readerIndex, length: Self.magic.count) == Self.magic
        guard isFramed else {
            var output = allocator.buffer(capacity: 0)
            try Self.decompressBlock(input, into: &output, maximumSize: maximumSize)
            return output
        }
        var blocks = input
        blocks.moveReaderIndex(forwardBy: Self.headerSize)
        var output = allocator.buffer(capacity: min(input.readableBytes * 2, maximumSize))
        while blocks.readableBytes > 0 {
            guard let length = blocks.readInteger(endianness: .big, as: Int32.self) else {
                throw KafkaProtocolError(code: .decompressionFailed, detail: "snappy block length is truncated")
            }
            guard length >= 0, Int(length) <= blocks.readableBytes else {
                throw KafkaProtocolError(
                    code: .decompressionFailed,
                    detail: "snappy block of \(length) bytes with \(blocks.readableBytes) left"
                )
            }
            try Self.decompressBlock(blocks.readSlice(length: Int(length))!, into: &output, maximumSize: maximumSize)
        }
        return output
    }

    /// Appends one raw snappy block to `output`; its declared length is checked against the
    /// limit before anything is allocated.
    private static func decompressBlock(_ block: ByteBuffer, into output: inout ByteBuffer, maximumSize: Int) throws {
        try block.withUnsafeReadableBytes { source in
            let sourcePointer = source.bindMemory(to: CChar.self).baseAddress
            var length = 0
            guard snappy_uncompressed_length(sourcePointer, source.count, &length) == SNAPPY_OK else {
                throw KafkaProtocolError(code: .decompressionFailed, detail: "not a snappy block")
            }
            guard length <= maximumSize - output.readableBytes else {
                throw CompressionCodec.limitExceeded(maximumSize)
            }
            guard length > 0 else { return }
            var status = SNAPPY_OK
            output.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
                var written = length
                status = snappy_uncompress(
                    sourcePointer,
                    source.count,
                    target.bindMemory(to: CChar.self).baseAddress,
                    &written
                )
                return status == SNAPPY_OK ? written : 0
            }
            guard status == SNAPPY_OK else {
                throw KafkaProtocolError(code: .decompressionFailed, detail: "snappy_uncompress returned \(status)")
            }
        }
    }
}
