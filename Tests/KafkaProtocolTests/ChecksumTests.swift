import KafkaProtocol
import NIOCore
import Testing

@Suite("Checksums")
struct ChecksumTests {
    static let check = Array("123456789".utf8)

    @Test("CRC32C check value 0xE3069283, software path")
    func softwareCheckValue() {
        #expect(Self.check.withUnsafeBytes { CRC32C.softwareChecksum($0) } == 0xE306_9283)
    }

    @Test("CRC32C check value 0xE3069283, SSE4.2 path", .enabled(if: CRC32C.isHardwareAccelerated))
    func hardwareCheckValue() {
        #expect(Self.check.withUnsafeBytes { CRC32C.hardwareChecksum($0) } == 0xE306_9283)
    }

    @Test("CRC32C RFC 3720 (iSCSI) vectors")
    func iscsiVectors() {
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum([UInt8]()) == 0)
    }

    @Test("both CRC32C paths agree on every length and alignment, and chain")
    func pathsAgree() {
        var generator = SplitMix64(state: 1)
        let data = (0..<4099).map { _ in UInt8.random(in: 0...255, using: &generator) }
        data.withUnsafeBytes { bytes in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 63, 64, 1000, 4090 - start] {
                    let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)])
                    let software = CRC32C.softwareChecksum(slice)
                    if CRC32C.isHardwareAccelerated {
                        #expect(CRC32C.hardwareChecksum(slice) == software)
                    }
                    let half = length / 2
                    let first = CRC32C.softwareChecksum(UnsafeRawBufferPointer(rebasing: slice[0..<half]))
                    let chained = CRC32C.checksum(
                        UnsafeRawBufferPointer(rebasing: slice[half..<length]),
                        continuing: first
                    )
                    #expect(chained == software)
                }
            }
        }
    }

    @Test("CRC32 (IEEE) check value 0xCBF43926")
    func crc32CheckValue() {
        #expect(CRC32.checksum(ByteBuffer(bytes: Self.check)) == 0xCBF4_3926)
    }
}
