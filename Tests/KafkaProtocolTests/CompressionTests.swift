import KafkaProtocol
import NIOCore
import Testing

@Suite("Compression codecs")
struct CompressionTests {
    static let compressible: ByteBuffer = {
        var buffer = ByteBuffer()
        for index in 0..<20_000 { buffer.writeString("record \(index % 97);") }
        return buffer
    }()

    static let random: ByteBuffer = {
        var generator = SplitMix64(state: 7)
        return ByteBuffer(bytes: (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }()

    @Test("every codec round-trips compressible, random and empty data", arguments: CompressionCodec.allCases)
    func roundTrip(codec: CompressionCodec) throws {
        for input in [Self.compressible, Self.random, ByteBuffer(), ByteBuffer(string: "x")] {
            let compressed = try codec.compress(input)
            if codec != .uncompressed && input.readableBytes == Self.compressible.readableBytes
                && input == Self.compressible
            {
                #expect(compressed.readableBytes < input.readableBytes / 4)
            }
            #expect(try codec.decompress(compressed) == input)
        }
    }

    @Test("names match Kafka's compression.type", arguments: CompressionCodec.allCases)
    func names(codec: CompressionCodec) {
        #expect(CompressionCodec(name: codec.name) == codec)
        #expect(["none", "gzip", "snappy", "lz4", "zstd"][Int(codec.rawValue)] == codec.name)
    }

    @Test("decompression stops at the size limit", arguments: CompressionCodec.allCases)
    func limit(codec: CompressionCodec) throws {
        let compressed = try codec.compress(Self.compressible)
        let error = #expect(throws: KafkaProtocolError.self) {
            try codec.decompress(compressed, maximumSize: 10_000)
        }
        #expect(error?.code == .decompressedSizeLimitExceeded)
        #expect(try codec.decompress(compressed, maximumSize: Self.compressible.readableBytes) == Self.compressible)
    }

    @Test("a zero-filled bomb stays within the limit")
    func bomb() throws {
        let zeros = ByteBuffer(bytes: [UInt8](repeating: 0, count: 8 << 20))
        for codec in CompressionCodec.allCases where codec != .uncompressed {
            let compressed = try codec.compress(zeros)
            #expect(throws: KafkaProtocolError.self) { try codec.decompress(compressed, maximumSize: 1 << 20) }
        }
    }

    @Test("gzip output has the gzip header; concatenated members and zlib streams decode")
    func gzipFraming() throws {
        let first = try CompressionCodec.gzip.compress(ByteBuffer(string: "hello "))
        #expect(first.getBytes(at: first.readerIndex, length: 3) == [0x1F, 0x8B, 0x08])
        var concatenated = first
        var second = try CompressionCodec.gzip.compress(ByteBuffer(string: "world"))
        concatenated.writeBuffer(&second)
        #expect(try CompressionCodec.gzip.decompress(concatenated) == ByteBuffer(string: "hello world"))
        // zlib stream of "a" (python: zlib.compress(b"a"))
        #expect(try CompressionCodec.gzip.decompress(ByteBuffer(hex: "789c4b040000620062")) == ByteBuffer(string: "a"))
    }

    @Test("snappy writes the xerial framing and reads framed and raw snappy")
    func snappyFraming() throws {
        let framed = try CompressionCodec.snappy.compress(Self.compressible)
        #expect(
            framed.getBytes(at: framed.readerIndex, length: 16) == [
                0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1,
            ]
        )
        // More than one 32 KiB block.
        #expect(Self.compressible.readableBytes > 64 * 1024)
        // Raw snappy of "hello hello hello": length 17, literal "hello ", copy 11 bytes from offset 6.
        let raw = ByteBuffer(hex: "11 14 68656c6c6f20 1d06")
        #expect(try CompressionCodec.snappy.decompress(raw) == ByteBuffer(string: "hello hello hello"))
    }

    @Test("corrupt and truncated input throws, never crashes", arguments: CompressionCodec.allCases)
    func corrupt(codec: CompressionCodec) throws {
        guard codec != .uncompressed else { return }
        let compressed = try codec.compress(Self.compressible)
        var truncated = compressed
        truncated.moveWriterIndex(to: truncated.writerIndex - compressed.readableBytes / 2)
        #expect(throws: KafkaProtocolError.self) { try codec.decompress(truncated) }
        #expect(throws: KafkaProtocolError.self) { try codec.decompress(ByteBuffer(string: "not compressed at all")) }
        var generator = SplitMix64(state: UInt64(codec.rawValue))
        for _ in 0..<200 {
            var mangled = compressed
            let index = mangled.readerIndex + Int.random(in: 0..<min(mangled.readableBytes, 64), using: &generator)
            mangled.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
            _ = try? codec.decompress(mangled, maximumSize: 1 << 20)
        }
    }
}
