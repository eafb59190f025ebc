import NIOCore

/// Kafka before 0.10 (message format v0) wrote LZ4 frames whose header checksum byte (HC) was
/// computed over the frame magic too, against the LZ4 frame specification (KAFKA-3160, KIP-57).
/// Java clients skip the check for magic 0; librdkafka rewrites the byte before decoding. We do
/// the latter: HC = (XXH32(frame descriptor, seed 0) >> 8) & 0xFF, where the descriptor is FLG,
/// BD and the optional content size (8 bytes) and dictionary id (4 bytes).
enum LZ4LegacyFraming {
    static func repairHeaderChecksum(_ frame: ByteBuffer) -> ByteBuffer {
        let start = frame.readerIndex
        guard frame.readableBytes >= 7,
            frame.getInteger(at: start, endianness: .little, as: UInt32.self) == 0x184D_2204,
            let flags = frame.getInteger(at: start + 4, as: UInt8.self)
        else { return frame }
        let descriptorLength = 2 + (flags & 0x08 != 0 ? 8 : 0) + (flags & 0x01 != 0 ? 4 : 0)
        guard frame.readableBytes > 4 + descriptorLength,
            let descriptor = frame.getBytes(at: start + 4, length: descriptorLength)
        else { return frame }
        var repaired = frame
        let checksum = UInt8(truncatingIfNeeded: XXHash32.hash(descriptor, seed: 0) >> 8)
        repaired.setInteger(checksum, at: start + 4 + descriptorLength)
        return repaired
    }
}

/// xxHash32 (Yann Collet's specification, as used by the LZ4 frame format for its checksums).
enum XXHash32 {
    private static let prime1: UInt32 = 2_654_435_761
    private static let prime2: UInt32 = 2_246_822_519
    private static let prime3: UInt32 = 3_266_489_917
    private static let prime4: UInt32 = 668_265_263
    private static let prime5: UInt32 = 374_761_393

    static func hash(_ bytes: [UInt8], seed: UInt32) -> UInt32 {
        func lane(_ index: Int) -> UInt32 {
            UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                | UInt32(bytes[index + 3]) << 24
        }
        func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
            (value << count) | (value >> (32 - count))
        }
        func round(_ accumulator: UInt32, _ input: UInt32) -> UInt32 {
            rotate(accumulator &+ input &* Self.prime2, 13) &* Self.prime1
        }
        var index = 0
        var hash: UInt32
        if bytes.count >= 16 {
            var v1 = seed &+ Self.prime1 &+ Self.prime2
            var v2 = seed &+ Self.prime2
            var v3 = seed
            var v4 = seed &- Self.prime1
            while bytes.count - index >= 16 {
                v1 = round(v1, lane(index))
                v2 = round(v2, lane(index + 4))
                v3 = round(v3, lane(index + 8))
                v4 = round(v4, lane(index + 12))
                index += 16
            }
            hash = rotate(v1, 1) &+ rotate(v2, 7) &+ rotate(v3, 12) &+ rotate(v4, 18)
        } else {
            hash = seed &+ Self.prime5
        }
        hash = hash &+ UInt32(truncatingIfNeeded: bytes.count)
        while bytes.count - index >= 4 {
            hash = rotate(hash &+ lane(index) &* Self.prime3, 17) &* Self.prime4
            index += 4
        }
        while index < bytes.count {
            hash = rotate(hash &+ UInt32(bytes[index]) &* Self.prime5, 11) &* Self.prime1
            index += 1
        }
        hash ^= hash >> 15
        hash = hash &* Self.prime2
        hash ^= hash >> 13
        hash = hash &* Self.prime3
        hash ^= hash >> 16
        return hash
    }
}
