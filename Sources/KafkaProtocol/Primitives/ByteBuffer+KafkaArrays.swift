import NIOCore

// Arrays of the Kafka protocol guide, "Protocol Primitive Types":
//   ARRAY: "Represents a sequence of objects of a given type T. ... First, the length N is given as
//          an INT32. Then N instances of type T follow. A null array is represented with a length
//          of -1."
//   COMPACT_ARRAY: "... First, the length N + 1 is given as an UNSIGNED_VARINT. Then N instances
//          of type T follow. A null array is represented with a length of 0."
// The count comes from the peer, so it is checked against the readable bytes (every element
// takes at least `minimumElementSize` bytes) and the result array grows as elements really
// decode; nothing is reserved from the untrusted count.

extension ByteBuffer {
    /// Reads an ARRAY (INT32 count) or COMPACT_ARRAY (when `flexible`); null is an error.
    public mutating func readKafkaArray<Element>(
        flexible: Bool,
        minimumElementSize: Int = 1,
        _ readElement: (inout ByteBuffer) throws -> Element
    ) throws -> [Element] {
        guard
            let elements = try self.readKafkaNullableArray(
                flexible: flexible,
                minimumElementSize: minimumElementSize,
                readElement
            )
        else {
            throw KafkaProtocolError(code: .invalidValue, detail: "ARRAY is null")
        }
        return elements
    }

    /// Reads a nullable ARRAY (INT32 count, -1 = null) or COMPACT_ARRAY (when `flexible`, 0 = null).
    public mutating func readKafkaNullableArray<Element>(
        flexible: Bool,
        minimumElementSize: Int = 1,
        _ readElement: (inout ByteBuffer) throws -> Element
    ) throws -> [Element]? {
        guard let count = try self.readKafkaArrayCount(flexible: flexible) else { return nil }
        guard count <= Int64(self.readableBytes / max(minimumElementSize, 1)) else {
            throw KafkaProtocolError.invalidLength("ARRAY count", length: count, available: self.readableBytes)
        }
        var elements: [Element] = []
        for index in 0..<Int(count) {
            elements.append(try withKafkaContext("[\(index)]") { try readElement(&self) })
        }
        return elements
    }

    /// Reads an array count: nil for null, otherwise >= 0.
    mutating func readKafkaArrayCount(flexible: Bool) throws -> Int64? {
        if flexible {
            let countPlusOne = try self.readKafkaUnsignedVarint()
            return countPlusOne == 0 ? nil : Int64(countPlusOne) - 1
        }
        let count = try self.readKafkaInteger(as: Int32.self, "ARRAY length")
        if count == -1 { return nil }
        guard count >= 0 else {
            throw KafkaProtocolError.invalidLength("ARRAY count", length: Int64(count), available: self.readableBytes)
        }
        return Int64(count)
    }

    /// Reads an ARRAY of INT32 (e.g. replica ids, partition indexes).
    public mutating func readKafkaInt32Array(flexible: Bool) throws -> [Int32] {
        try self.readKafkaArray(flexible: flexible, minimumElementSize: 4) { try $0.readKafkaInt32() }
    }

    /// Reads an ARRAY of STRING.
    public mutating func readKafkaStringArray(flexible: Bool) throws -> [String] {
        try self.readKafkaArray(flexible: flexible, minimumElementSize: flexible ? 1 : 2) {
            try $0.readKafkaString(flexible: flexible)
        }
    }

    /// Writes an ARRAY (or COMPACT_ARRAY when `flexible`).
    public mutating func writeKafkaArray<Elements: Collection>(
        _ elements: Elements,
        flexible: Bool,
        _ writeElement: (inout ByteBuffer, Elements.Element) throws -> Void
    ) throws {
        try self.writeKafkaNullableArray(Optional(elements), flexible: flexible, writeElement)
    }

    /// Writes a nullable ARRAY (or COMPACT_ARRAY when `flexible`).
    public mutating func writeKafkaNullableArray<Elements: Collection>(
        _ elements: Elements?,
        flexible: Bool,
        _ writeElement: (inout ByteBuffer, Elements.Element) throws -> Void
    ) throws {
        guard let elements else {
            if flexible {
                self.writeKafkaUnsignedVarint(0)
            } else {
                self.writeInteger(-1, endianness: .big, as: Int32.self)
            }
            return
        }
        let count = elements.count
        guard count <= Int(Int32.max) else {
            throw KafkaProtocolError(code: .invalidLength, detail: "ARRAY of \(count) elements")
        }
        if flexible {
            self.writeKafkaUnsignedVarlong(UInt64(count) + 1)
        } else {
            self.writeInteger(Int32(count), endianness: .big)
        }
        for element in elements {
            try writeElement(&self, element)
        }
    }

    /// Writes an ARRAY of INT32.
    public mutating func writeKafkaInt32Array(_ values: [Int32], flexible: Bool) throws {
        try self.writeKafkaArray(values, flexible: flexible) { $0.writeKafkaInt32($1) }
    }

    /// Writes an ARRAY of STRING.
    public mutating func writeKafkaStringArray(_ values: [String], flexible: Bool) throws {
        try self.writeKafkaArray(values, flexible: flexible) { try $0.writeKafkaString($1, flexible: flexible) }
    }
}
