import CZlib
import NIOCore

/// CRC32 (IEEE 802.3, zlib's `crc32`), the checksum of message format v0/v1 ("The CRC is the
/// CRC32 of the remainder of the message bytes", Kafka documentation, "Message Sets").
public enum CRC32 {
    /// The checksum of `bytes`; pass a previous result as `crc` to continue.
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return crc }
        var result = UInt(crc)
        var offset = 0
        // zlib takes a 32-bit length; walk in chunks so any buffer size works.
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, Int(Int32.max))
            result = CZlib.crc32(
                result,
                base.advanced(by: offset).assumingMemoryBound(to: Bytef.self),
                uInt(chunk)
            )
            offset += chunk
        }
        return UInt32(truncatingIfNeeded: result)
    }

    /// The checksum of the readable bytes of `buffer`.
    public static func checksum(_ buffer: ByteBuffer, continuing crc: UInt32 = 0) -> UInt32 {
        buffer.withUnsafeReadableBytes { Self.checksum($0, continuing: crc) }
    }
}
