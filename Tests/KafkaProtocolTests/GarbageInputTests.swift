import KafkaProtocol
import NIOCore
import Testing

/// Truncated, mutated and random input to every response decoder: errors, never crashes, and
/// never an allocation sized by a hostile length.
@Suite("Garbage and truncated input")
struct GarbageInputTests {
    static func decodeAnyway(_ apiKey: APIKey, _ version: Int16, _ body: ByteBuffer) {
        _ = try? KafkaResponse.decode(apiKey: apiKey, version: version, body: body)
    }

    @Test("every prefix of every sample response fails cleanly")
    func truncations() throws {
        for (apiKey, sample) in MessageSamples.responses {
            for version in apiKey.implementedVersions! {
                guard let encoded = try? sample.encodedAny(version: version) else { continue }
                for length in 0..<encoded.readableBytes {
                    let prefix = encoded.getSlice(at: encoded.readerIndex, length: length)!
                    #expect(throws: KafkaProtocolError.self) {
                        try KafkaResponse.decode(apiKey: apiKey, version: version, body: prefix)
                    }
                }
            }
        }
    }

    @Test("mutated and random bodies never crash any decoder")
    func mutations() throws {
        var generator = SplitMix64(state: 2024)
        for (apiKey, sample) in MessageSamples.responses {
            for version in apiKey.implementedVersions! {
                guard let encoded = try? sample.encodedAny(version: version) else { continue }
                for _ in 0..<40 {
                    var mutated = encoded
                    for _ in 0..<Int.random(in: 1...4, using: &generator) {
                        let index = mutated.readerIndex + Int.random(in: 0..<mutated.readableBytes, using: &generator)
                        mutated.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
                    }
                    Self.decodeAnyway(apiKey, version, mutated)
                }
                for _ in 0..<20 {
                    let count = Int.random(in: 0...64, using: &generator)
                    let random = ByteBuffer(
                        bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    )
                    Self.decodeAnyway(apiKey, version, random)
                }
            }
        }
    }

    @Test("lengths of 2^31-1 with 10 bytes behind them throw quickly in every decoder")
    func hugeLengths() throws {
        let patterns: [[UInt8]] = [
            [0x7F, 0xFF, 0xFF, 0xFF],  // INT32 array count / bytes length
            [0x7F, 0xFF],  // INT16 string length
            [0xFF, 0xFF, 0xFF, 0xFF, 0x07],  // compact length 2^31-1
        ]
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for apiKey in APIKey.implemented {
                for version in apiKey.implementedVersions! {
                    for pattern in patterns {
                        for offset in 0..<12 {
                            let bytes =
                                [UInt8](repeating: 0, count: offset) + pattern + [UInt8](repeating: 0x41, count: 10)
                            Self.decodeAnyway(apiKey, version, ByteBuffer(bytes: bytes))
                        }
                    }
                }
            }
        }
        // Generous: this is a smoke check that nothing walks 2^31 iterations, not a benchmark.
        #expect(elapsed < .seconds(30))
    }

    @Test("record data garbage never crashes the batch decoder")
    func recordGarbage() throws {
        var generator = SplitMix64(state: 99)
        var valid = ByteBuffer()
        for codec in CompressionCodec.allCases {
            var batch = try RecordBatchTests.sampleBuilder(codec).build()
            valid.writeBuffer(&batch)
        }
        let options = RecordDecodingOptions(maximumDecompressedSize: 1 << 20, verifyChecksums: false)
        for _ in 0..<2000 {
            var mutated = valid
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = mutated.readerIndex + Int.random(in: 0..<mutated.readableBytes, using: &generator)
                mutated.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
            }
            _ = try? RecordBatch.decodeAll(from: mutated, options: options)
        }
    }
}

extension KafkaMessage {
    func encodedAny(version: Int16) throws -> ByteBuffer {
        try self.encoded(version: version)
    }
}
