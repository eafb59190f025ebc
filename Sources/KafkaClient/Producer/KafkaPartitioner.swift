import NIOCore

/// The default partitioner of the Java client (and librdkafka's `murmur2_random`): a keyed
/// record goes to `toPositive(murmur2(key)) % partitionCount`, so the same key lands in the
/// same partition whichever of these clients produced it. Keyless records are spread by the
/// accumulator (sticky per batch, KIP-480).
public enum KafkaPartitioner {
    /// The partition for a record with `key`.
    public static func partition(forKey key: ByteBuffer, partitionCount: Int32) -> Int32 {
        precondition(partitionCount > 0, "a topic has at least one partition")
        let hash = key.withUnsafeReadableBytes { Self.murmur2($0) }
        // Java's Utils.toPositive: clear the sign bit (not abs(), which fails for Int32.min).
        return Int32(bitPattern: hash & 0x7fff_ffff) % partitionCount
    }

    /// MurmurHash2 (32 bit) with Kafka's seed 0x9747b28c, as Java's `Utils.murmur2`.
    public static func murmur2(_ data: UnsafeRawBufferPointer) -> UInt32 {
        let length = data.count
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h = seed ^ UInt32(truncatingIfNeeded: length)
        let blocks = length / 4
        for index in 0..<blocks {
            let offset = index * 4
            var k =
                UInt32(data[offset]) | UInt32(data[offset + 1]) << 8 | UInt32(data[offset + 2]) << 16
                | UInt32(data[offset + 3]) << 24
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length & ~3
        switch length % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }
}
