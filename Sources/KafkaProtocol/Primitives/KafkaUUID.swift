import NIOCore

/// A Kafka UUID (topic ids, KIP-516): 16 bytes, "a Java type UUID" in the protocol guide
/// ("UUID: Represents a type 4 immutable universally unique identifier (Uuid). The values are
/// encoded using sixteen bytes in network byte order (big-endian).").
///
/// Printed as Kafka prints it (`Uuid.toString`): URL-safe base64 without padding.
public struct KafkaUUID: Hashable, Sendable, CustomStringConvertible {
    /// The most significant 8 bytes.
    public var mostSignificantBits: UInt64
    /// The least significant 8 bytes.
    public var leastSignificantBits: UInt64

    /// Creates a UUID from its two halves.
    public init(mostSignificantBits: UInt64, leastSignificantBits: UInt64) {
        self.mostSignificantBits = mostSignificantBits
        self.leastSignificantBits = leastSignificantBits
    }

    /// The all-zero UUID Kafka uses for "no topic id" (`Uuid.ZERO_UUID`).
    public static let zero = KafkaUUID(mostSignificantBits: 0, leastSignificantBits: 0)

    /// True for ``zero``.
    public var isZero: Bool { self == .zero }

    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: self.mostSignificantBits >> UInt64(shift)))
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: self.leastSignificantBits >> UInt64(shift)))
        }
        return Self.base64URLWithoutPadding(bytes)
    }

    private static func base64URLWithoutPadding(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = (b0 << 16) | (b1 << 8) | b2
            output.append(alphabet[Int((triple >> 18) & 0x3F)])
            output.append(alphabet[Int((triple >> 12) & 0x3F)])
            if remaining > 1 { output.append(alphabet[Int((triple >> 6) & 0x3F)]) }
            if remaining > 2 { output.append(alphabet[Int(triple & 0x3F)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }
}

extension ByteBuffer {
    /// Reads a UUID (16 bytes, big-endian).
    public mutating func readKafkaUUID() throws -> KafkaUUID {
        guard let (high, low) = self.readMultipleIntegers(endianness: .big, as: (UInt64, UInt64).self) else {
            throw KafkaProtocolError.truncated("UUID", needed: 16, available: self.readableBytes)
        }
        return KafkaUUID(mostSignificantBits: high, leastSignificantBits: low)
    }

    /// Writes a UUID (16 bytes, big-endian).
    @discardableResult
    public mutating func writeKafkaUUID(_ uuid: KafkaUUID) -> Int {
        self.writeMultipleIntegers(uuid.mostSignificantBits, uuid.leastSignificantBits, endianness: .big)
    }
}
