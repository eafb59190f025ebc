import CZlib
import NIOCore

/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of RecordBatch v2:
/// "The CRC is the CRC32-C (Castagnoli) polynomial ... covers the data from the attributes to the
/// end of the batch" (Kafka documentation, "Record Batch"; KIP-98).
///
/// Two implementations with one contract: the SSE4.2 `crc32` instruction when CPUID reports it
/// (through a `static inline` C function in the CZlib shim, see `tributary_crc32c.h`), and a
/// portable slicing-by-8 table implementation otherwise. ``checksum(_:continuing:)`` picks.
public enum CRC32C {
    /// Whether this CPU has the SSE4.2 CRC32 instruction (checked once with CPUID).
    public static let isHardwareAccelerated: Bool = tributary_crc32c_hardware_available() != 0

    /// The checksum of `bytes`; pass a previous result as `crc` to continue over more bytes.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        if Self.isHardwareAccelerated {
            return Self.hardwareChecksum(bytes, continuing: crc)
        }
        return Self.softwareChecksum(bytes, continuing: crc)
    }

    /// The checksum of the readable bytes of `buffer`.
    public static func checksum(_ buffer: ByteBuffer, continuing crc: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeReadableBytes { Self.checksum($0, continuing: crc) }
    }

    /// The checksum of `bytes`.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32
    where Bytes.Element == UInt8 {
        Array(bytes).withUnsafeBytes { Self.checksum($0, continuing: crc) }
    }

    /// The SSE4.2 implementation. Only call it when ``isHardwareAccelerated`` is true
    /// (elsewhere it returns `crc` unchanged).
    public static func hardwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        return tributary_crc32c_hardware(crc, base.assumingMemoryBound(to: UInt8.self), bytes.count)
    }

    /// The portable slicing-by-8 implementation (eight 256-entry tables, 8 bytes per step).
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var state = ~crc
        var index = 0
        let count = bytes.count
        Self.tables.withUnsafeBufferPointer { table in
            while count - index >= 8 {
                let low = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self)) ^ state
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
                state =
                    table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index += 8
            }
            while index < count {
                state = table[Int((state ^ UInt32(bytes[index])) & 0xFF)] ^ (state >> 8)
                index += 1
            }
        }
        return ~state
    }

    /// table[k * 256 + b]: the CRC of byte b followed by k zero bytes.
    private static let tables: [UInt32] = {
        let polynomial: UInt32 = 0x82F6_3B78
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            tables[byte] = crc
        }
        for byte in 0..<256 {
            for slice in 1..<8 {
                let previous = tables[(slice - 1) * 256 + byte]
                tables[slice * 256 + byte] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()
}
