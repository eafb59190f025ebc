import NIOCore

// Variable-length integers of the Kafka protocol guide, "Protocol Primitive Types":
//   UNSIGNED_VARINT: "The UNSIGNED_VARINT type describes an unsigned variable length integer."
//                    (7 bits per byte, least significant group first, high bit = more bytes;
//                    the Protocol Buffers encoding.)
//   VARINT:  "Represents an integer between -2^31 and 2^31-1 inclusive. Encoding follows the
//            variable-length zig-zag encoding from Google Protocol Buffers."
//   VARLONG: the same for -2^63 ... 2^63-1.
// A 32-bit varint takes at most 5 bytes, a 64-bit one at most 10; longer input is rejected
// rather than read forever.

extension ByteBuffer {
    /// Reads an UNSIGNED_VARINT (at most 5 bytes, value fits in 32 bits).
    public mutating func readKafkaUnsignedVarint() throws -> UInt32 {
        let value = try self.readKafkaUnsignedVarlong(maximumBytes: 5, "UNSIGNED_VARINT")
        guard value <= UInt64(UInt32.max) else {
            throw KafkaProtocolError(code: .varintTooLong, detail: "UNSIGNED_VARINT \(value) exceeds 32 bits")
        }
        return UInt32(value)
    }

    /// Reads a zig-zag VARINT (at most 5 bytes).
    public mutating func readKafkaVarint() throws -> Int32 {
        let raw = try self.readKafkaUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a zig-zag VARLONG (at most 10 bytes).
    public mutating func readKafkaVarlong() throws -> Int64 {
        let raw = try self.readKafkaUnsignedVarlong(maximumBytes: 10, "VARLONG")
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func readKafkaUnsignedVarlong(maximumBytes: Int, _ what: StaticString) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = self.readerIndex
        for _ in 0..<maximumBytes {
            guard let byte = self.getInteger(at: index, as: UInt8.self) else {
                throw KafkaProtocolError.truncated(
                    "\(what)",
                    needed: index - self.readerIndex + 1,
                    available: self.readableBytes
                )
            }
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                self.moveReaderIndex(to: index)
                return result
            }
            shift += 7
        }
        throw KafkaProtocolError(code: .varintTooLong, detail: "\(what) longer than \(maximumBytes) bytes")
    }

    /// Writes an UNSIGNED_VARINT.
    @discardableResult
    public mutating func writeKafkaUnsignedVarint(_ value: UInt32) -> Int {
        self.writeKafkaUnsignedVarlong(UInt64(value))
    }

    /// Writes a zig-zag VARINT.
    @discardableResult
    public mutating func writeKafkaVarint(_ value: Int32) -> Int {
        self.writeKafkaUnsignedVarlong(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// Writes a zig-zag VARLONG.
    @discardableResult
    public mutating func writeKafkaVarlong(_ value: Int64) -> Int {
        self.writeKafkaUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @discardableResult
    mutating func writeKafkaUnsignedVarlong(_ value: UInt64) -> Int {
        // One capacity check for the whole varint (at most 10 bytes), not one per byte: records
        // hold several varints each, and this is the producer's hottest loop.
        self.writeWithUnsafeMutableBytes(minimumWritableBytes: 10) { bytes in
            var value = value
            var index = 0
            while value >= 0x80 {
                bytes[index] = UInt8(truncatingIfNeeded: value) | 0x80
                value >>= 7
                index += 1
            }
            bytes[index] = UInt8(value)
            return index + 1
        }
    }
}

/// Sizes of encoded varints, for computing record lengths before writing them.
enum KafkaVarint {
    /// Bytes an unsigned varlong of `value` takes.
    static func size(unsigned value: UInt64) -> Int {
        var value = value
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    /// Bytes a zig-zag VARINT takes.
    static func size(_ value: Int32) -> Int {
        Self.size(unsigned: UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// Bytes a zig-zag VARLONG takes.
    static func size(_ value: Int64) -> Int {
        Self.size(unsigned: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }
}
