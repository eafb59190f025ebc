import NIOCore

// Fixed-width primitives of the Kafka protocol guide, "Protocol Primitive Types":
//   BOOLEAN: "Represents a boolean value in a byte. Values 0 and 1 are used to represent false and
//            true respectively. When reading a boolean value, any non-zero value is considered true."
//   INT8/INT16/INT32/INT64: "... The values are encoded using two's complement in big endian order."
//   UINT32: "Represents an integer between 0 and 2^32-1 inclusive ... big endian order."

extension ByteBuffer {
    /// Reads a big-endian fixed-width integer or throws ``KafkaProtocolError/Code/truncated``.
    mutating func readKafkaInteger<T: FixedWidthInteger>(as: T.Type, _ what: StaticString) throws -> T {
        guard let value = self.readInteger(endianness: .big, as: T.self) else {
            throw KafkaProtocolError.truncated("\(what)", needed: MemoryLayout<T>.size, available: self.readableBytes)
        }
        return value
    }

    /// Reads an INT8.
    public mutating func readKafkaInt8() throws -> Int8 { try self.readKafkaInteger(as: Int8.self, "INT8") }
    /// Reads an INT16.
    public mutating func readKafkaInt16() throws -> Int16 { try self.readKafkaInteger(as: Int16.self, "INT16") }
    /// Reads an INT32.
    public mutating func readKafkaInt32() throws -> Int32 { try self.readKafkaInteger(as: Int32.self, "INT32") }
    /// Reads an INT64.
    public mutating func readKafkaInt64() throws -> Int64 { try self.readKafkaInteger(as: Int64.self, "INT64") }
    /// Reads a UINT32.
    public mutating func readKafkaUInt32() throws -> UInt32 { try self.readKafkaInteger(as: UInt32.self, "UINT32") }

    /// Reads a BOOLEAN: any non-zero byte is true (protocol guide).
    public mutating func readKafkaBool() throws -> Bool { try self.readKafkaInteger(as: UInt8.self, "BOOLEAN") != 0 }

    /// Reads a Kafka error code (INT16).
    public mutating func readKafkaErrorCode() throws -> KafkaErrorCode {
        KafkaErrorCode(rawValue: try self.readKafkaInteger(as: Int16.self, "error_code"))
    }

    /// Writes an INT8.
    @discardableResult
    public mutating func writeKafkaInt8(_ value: Int8) -> Int { self.writeInteger(value, endianness: .big) }
    /// Writes an INT16.
    @discardableResult
    public mutating func writeKafkaInt16(_ value: Int16) -> Int { self.writeInteger(value, endianness: .big) }
    /// Writes an INT32.
    @discardableResult
    public mutating func writeKafkaInt32(_ value: Int32) -> Int { self.writeInteger(value, endianness: .big) }
    /// Writes an INT64.
    @discardableResult
    public mutating func writeKafkaInt64(_ value: Int64) -> Int { self.writeInteger(value, endianness: .big) }
    /// Writes a UINT32.
    @discardableResult
    public mutating func writeKafkaUInt32(_ value: UInt32) -> Int { self.writeInteger(value, endianness: .big) }
    /// Writes a BOOLEAN as 0 or 1.
    @discardableResult
    public mutating func writeKafkaBool(_ value: Bool) -> Int { self.writeInteger(value ? 1 : 0, as: UInt8.self) }
    /// Writes a Kafka error code (INT16).
    @discardableResult
    public mutating func writeKafkaErrorCode(_ code: KafkaErrorCode) -> Int {
        self.writeInteger(code.rawValue, endianness: .big)
    }
}
