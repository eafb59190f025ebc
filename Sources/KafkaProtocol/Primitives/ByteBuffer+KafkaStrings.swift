import NIOCore

// Strings of the Kafka protocol guide, "Protocol Primitive Types":
//   STRING: "First the length N is given as an INT16. Then N bytes follow which are the UTF-8
//           encoding of the character sequence. Length must not be negative."
//   NULLABLE_STRING: "... For non-null strings, first the length N is given as an INT16 ...
//           A null value is encoded with length of -1 and there are no following bytes."
//   COMPACT_STRING: "First the length N + 1 is given as an UNSIGNED_VARINT. Then N bytes follow."
//   COMPACT_NULLABLE_STRING: "... A null string is represented with a length of 0."
// Invalid UTF-8 is repaired (U+FFFD), as Java's String constructor does, rather than rejected.

extension ByteBuffer {
    // MARK: Reading

    /// Reads a STRING (INT16 length).
    public mutating func readKafkaString() throws -> String {
        guard let string = try self.readKafkaNullableString() else {
            throw KafkaProtocolError(code: .invalidValue, detail: "STRING is null (length -1)")
        }
        return string
    }

    /// Reads a NULLABLE_STRING (INT16 length, -1 = null).
    public mutating func readKafkaNullableString() throws -> String? {
        let length = try self.readKafkaInteger(as: Int16.self, "STRING length")
        if length == -1 { return nil }
        return try self.readKafkaStringBytes(length: Int64(length), "STRING")
    }

    /// Reads a COMPACT_STRING (UNSIGNED_VARINT length + 1).
    public mutating func readKafkaCompactString() throws -> String {
        guard let string = try self.readKafkaCompactNullableString() else {
            throw KafkaProtocolError(code: .invalidValue, detail: "COMPACT_STRING is null (length 0)")
        }
        return string
    }

    /// Reads a COMPACT_NULLABLE_STRING (UNSIGNED_VARINT length + 1, 0 = null).
    public mutating func readKafkaCompactNullableString() throws -> String? {
        let lengthPlusOne = try self.readKafkaUnsignedVarint()
        if lengthPlusOne == 0 { return nil }
        return try self.readKafkaStringBytes(length: Int64(lengthPlusOne) - 1, "COMPACT_STRING")
    }

    /// Reads a STRING, compact when `flexible` (the message version is a flexible version).
    public mutating func readKafkaString(flexible: Bool) throws -> String {
        flexible ? try self.readKafkaCompactString() : try self.readKafkaString()
    }

    /// Reads a NULLABLE_STRING, compact when `flexible`.
    public mutating func readKafkaNullableString(flexible: Bool) throws -> String? {
        flexible ? try self.readKafkaCompactNullableString() : try self.readKafkaNullableString()
    }

    private mutating func readKafkaStringBytes(length: Int64, _ what: StaticString) throws -> String {
        // The length is checked against what is really there before anything is read or allocated.
        guard length >= 0, length <= Int64(self.readableBytes) else {
            throw KafkaProtocolError.invalidLength("\(what)", length: length, available: self.readableBytes)
        }
        return self.readString(length: Int(length))!
    }

    // MARK: Writing

    /// Writes a STRING; throws if its UTF-8 form is longer than 32767 bytes.
    @discardableResult
    public mutating func writeKafkaString(_ string: String) throws -> Int {
        try self.writeKafkaNullableString(string)
    }

    /// Writes a NULLABLE_STRING.
    @discardableResult
    public mutating func writeKafkaNullableString(_ string: String?) throws -> Int {
        guard let string else { return self.writeInteger(-1, endianness: .big, as: Int16.self) }
        let length = string.utf8.count
        guard length <= Int(Int16.max) else {
            throw KafkaProtocolError(code: .invalidLength, detail: "STRING of \(length) bytes exceeds 32767")
        }
        return self.writeInteger(Int16(length), endianness: .big) + self.writeString(string)
    }

    /// Writes a COMPACT_STRING.
    @discardableResult
    public mutating func writeKafkaCompactString(_ string: String) -> Int {
        self.writeKafkaCompactNullableString(string)
    }

    /// Writes a COMPACT_NULLABLE_STRING.
    @discardableResult
    public mutating func writeKafkaCompactNullableString(_ string: String?) -> Int {
        guard let string else { return self.writeKafkaUnsignedVarint(0) }
        return self.writeKafkaUnsignedVarlong(UInt64(string.utf8.count) + 1) + self.writeString(string)
    }

    /// Writes a STRING, compact when `flexible`.
    @discardableResult
    public mutating func writeKafkaString(_ string: String, flexible: Bool) throws -> Int {
        flexible ? self.writeKafkaCompactString(string) : try self.writeKafkaString(string)
    }

    /// Writes a NULLABLE_STRING, compact when `flexible`.
    @discardableResult
    public mutating func writeKafkaNullableString(_ string: String?, flexible: Bool) throws -> Int {
        flexible ? self.writeKafkaCompactNullableString(string) : try self.writeKafkaNullableString(string)
    }
}
