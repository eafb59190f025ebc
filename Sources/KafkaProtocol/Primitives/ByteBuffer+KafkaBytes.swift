import NIOCore

// Byte strings of the Kafka protocol guide, "Protocol Primitive Types":
//   BYTES: "First the length N is given as an INT32. Then N bytes follow."
//   NULLABLE_BYTES: "... A null value is encoded with length of -1 and there are no following bytes."
//   COMPACT_BYTES: "First the length N+1 is given as an UNSIGNED_VARINT. Then N bytes follow."
//   COMPACT_NULLABLE_BYTES: "... A null object is represented with a length of 0."
//   RECORDS: "Represents a sequence of Kafka records as NULLABLE_BYTES." (compact in flexible versions)
// Reads return slices of the input (no copy); lengths are checked against the readable bytes first.

extension ByteBuffer {
    // MARK: Reading

    /// Reads BYTES (INT32 length).
    public mutating func readKafkaBytes() throws -> ByteBuffer {
        guard let bytes = try self.readKafkaNullableBytes() else {
            throw KafkaProtocolError(code: .invalidValue, detail: "BYTES is null (length -1)")
        }
        return bytes
    }

    /// Reads NULLABLE_BYTES (INT32 length, -1 = null).
    public mutating func readKafkaNullableBytes() throws -> ByteBuffer? {
        let length = try self.readKafkaInteger(as: Int32.self, "BYTES length")
        if length == -1 { return nil }
        return try self.readKafkaByteSlice(length: Int64(length), "BYTES")
    }

    /// Reads COMPACT_BYTES (UNSIGNED_VARINT length + 1).
    public mutating func readKafkaCompactBytes() throws -> ByteBuffer {
        guard let bytes = try self.readKafkaCompactNullableBytes() else {
            throw KafkaProtocolError(code: .invalidValue, detail: "COMPACT_BYTES is null (length 0)")
        }
        return bytes
    }

    /// Reads COMPACT_NULLABLE_BYTES (UNSIGNED_VARINT length + 1, 0 = null).
    public mutating func readKafkaCompactNullableBytes() throws -> ByteBuffer? {
        let lengthPlusOne = try self.readKafkaUnsignedVarint()
        if lengthPlusOne == 0 { return nil }
        return try self.readKafkaByteSlice(length: Int64(lengthPlusOne) - 1, "COMPACT_BYTES")
    }

    /// Reads BYTES, compact when `flexible`.
    public mutating func readKafkaBytes(flexible: Bool) throws -> ByteBuffer {
        flexible ? try self.readKafkaCompactBytes() : try self.readKafkaBytes()
    }

    /// Reads NULLABLE_BYTES (or RECORDS), compact when `flexible`.
    public mutating func readKafkaNullableBytes(flexible: Bool) throws -> ByteBuffer? {
        flexible ? try self.readKafkaCompactNullableBytes() : try self.readKafkaNullableBytes()
    }

    /// Reads `length` bytes as a slice after checking they are there.
    mutating func readKafkaByteSlice(length: Int64, _ what: StaticString) throws -> ByteBuffer {
        guard length >= 0, length <= Int64(self.readableBytes) else {
            throw KafkaProtocolError.invalidLength("\(what)", length: length, available: self.readableBytes)
        }
        return self.readSlice(length: Int(length))!
    }

    // MARK: Writing

    /// Writes BYTES.
    @discardableResult
    public mutating func writeKafkaBytes(_ bytes: ByteBuffer) -> Int {
        self.writeKafkaNullableBytes(bytes)
    }

    /// Writes NULLABLE_BYTES.
    @discardableResult
    public mutating func writeKafkaNullableBytes(_ bytes: ByteBuffer?) -> Int {
        guard var bytes else { return self.writeInteger(-1, endianness: .big, as: Int32.self) }
        return self.writeInteger(Int32(bytes.readableBytes), endianness: .big) + self.writeBuffer(&bytes)
    }

    /// Writes COMPACT_BYTES.
    @discardableResult
    public mutating func writeKafkaCompactBytes(_ bytes: ByteBuffer) -> Int {
        self.writeKafkaCompactNullableBytes(bytes)
    }

    /// Writes COMPACT_NULLABLE_BYTES.
    @discardableResult
    public mutating func writeKafkaCompactNullableBytes(_ bytes: ByteBuffer?) -> Int {
        guard var bytes else { return self.writeKafkaUnsignedVarint(0) }
        return self.writeKafkaUnsignedVarlong(UInt64(bytes.readableBytes) + 1) + self.writeBuffer(&bytes)
    }

    /// Writes BYTES, compact when `flexible`.
    @discardableResult
    public mutating func writeKafkaBytes(_ bytes: ByteBuffer, flexible: Bool) -> Int {
        flexible ? self.writeKafkaCompactBytes(bytes) : self.writeKafkaBytes(bytes)
    }

    /// Writes NULLABLE_BYTES (or RECORDS), compact when `flexible`.
    @discardableResult
    public mutating func writeKafkaNullableBytes(_ bytes: ByteBuffer?, flexible: Bool) -> Int {
        flexible ? self.writeKafkaCompactNullableBytes(bytes) : self.writeKafkaNullableBytes(bytes)
    }
}
