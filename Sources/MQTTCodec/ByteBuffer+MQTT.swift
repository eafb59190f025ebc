import NIOCore

// The data representations of MQTT 5.0 §1.5 (the same bytes as MQTT 3.1.1 §1.5 and §2.2.3), as
// `ByteBuffer` reads and writes. Reads throw `MQTTCodecError` with 0x81 (Malformed Packet) when the
// bytes break the representation or run past the end of the packet body they are read from: every
// read happens inside a slice of exactly Remaining Length bytes, so running out means the sender
// announced a wrong length. Writes expect values the encoder has validated already.

extension ByteBuffer {
    // MARK: Variable Byte Integer

    /// Gets the Variable Byte Integer at `index` without moving the reader index.
    ///
    /// Returns `nil` when the buffer ends before the last byte of the integer, so a stream decoder
    /// can wait for more bytes.
    func getMQTTVariableByteInteger(at index: Int) throws(MQTTCodecError) -> (value: Int, length: Int)? {
        // MQTT 5.0 §1.5.5:
        //
        // > The least significant seven bits of each byte encode the data, and the most significant
        // > bit is used to indicate whether there are bytes following in the representation. [...]
        // > The maximum number of bytes in the Variable Byte Integer field is four. The encoded value
        // > MUST use the minimum number of bytes necessary to represent the value [MQTT-1.5.5-1].
        //
        // A non-minimal encoding can only end in a zero byte after one or more continuation bytes
        // (0x80 0x00 is zero in two bytes). MQTT 3.1.1 §2.2.3 states no such rule, but its encoding
        // algorithm only produces minimal encodings; we reject the others for every version: no
        // conforming peer sends them, and accepting them would give one value several encodings.
        var value = 0
        var shift = 0
        for offset in 0..<MQTTLimits.maximumVariableByteIntegerLength {
            guard let byte = self.getInteger(at: index &+ offset, as: UInt8.self) else {
                return nil
            }
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                if byte == 0 && offset > 0 {
                    throw .malformed(
                        "Variable Byte Integer encodes \(value) in \(offset + 1) bytes, not the minimum (MQTT-1.5.5-1)"
                    )
                }
                return (value, offset + 1)
            }
            shift += 7
        }
        throw .malformed("Variable Byte Integer has a continuation bit in its fourth byte (MQTT 5.0 §1.5.5)")
    }

    /// Reads a Variable Byte Integer that must be complete in this buffer.
    mutating func readMQTTVariableByteInteger(_ field: StaticString) throws(MQTTCodecError) -> Int {
        guard let (value, length) = try self.getMQTTVariableByteInteger(at: self.readerIndex) else {
            throw .malformed("\(field) runs past the end of the packet")
        }
        self.moveReaderIndex(forwardBy: length)
        return value
    }

    /// The number of bytes `writeMQTTVariableByteInteger` writes for `value`.
    static func mqttVariableByteIntegerLength(_ value: Int) -> Int {
        // MQTT 5.0 §1.5.5, Table 1-1: 0...127 one byte, ...16,383 two, ...2,097,151 three, else four.
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }

    /// Writes `value` as a minimal Variable Byte Integer and returns the number of bytes written.
    @discardableResult
    mutating func writeMQTTVariableByteInteger(_ value: Int) -> Int {
        precondition(
            (0...MQTTLimits.maximumVariableByteInteger).contains(value),
            "\(value) does not fit a Variable Byte Integer"
        )
        var remaining = value
        var written = 0
        repeat {
            var byte = UInt8(truncatingIfNeeded: remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            written += self.writeInteger(byte)
        } while remaining > 0
        return written
    }

    // MARK: Byte, Two Byte Integer, Four Byte Integer

    mutating func readMQTTByte(_ field: StaticString) throws(MQTTCodecError) -> UInt8 {
        guard let byte = self.readInteger(as: UInt8.self) else {
            throw .malformed("\(field) runs past the end of the packet")
        }
        return byte
    }

    /// Reads a big-endian 16-bit integer (MQTT 5.0 §1.5.2).
    mutating func readMQTTTwoByteInteger(_ field: StaticString) throws(MQTTCodecError) -> UInt16 {
        guard let value = self.readInteger(endianness: .big, as: UInt16.self) else {
            throw .malformed("\(field) runs past the end of the packet")
        }
        return value
    }

    /// Reads a big-endian 32-bit integer (MQTT 5.0 §1.5.3).
    mutating func readMQTTFourByteInteger(_ field: StaticString) throws(MQTTCodecError) -> UInt32 {
        guard let value = self.readInteger(endianness: .big, as: UInt32.self) else {
            throw .malformed("\(field) runs past the end of the packet")
        }
        return value
    }

    // MARK: UTF-8 Encoded String

    /// Reads a UTF-8 Encoded String: a Two Byte Integer length, then that many bytes of UTF-8.
    mutating func readMQTTString(_ field: StaticString) throws(MQTTCodecError) -> String {
        guard let length = self.readInteger(endianness: .big, as: UInt16.self) else {
            throw .malformed("\(field): string length runs past the end of the packet")
        }
        guard let bytes = self.readSlice(length: Int(length)) else {
            throw .malformed("\(field): string of \(length) bytes runs past the end of the packet")
        }
        return try Self.mqttValidatedString(bytes, field)
    }

    /// Turns the bytes of a UTF-8 Encoded String into a `String`, enforcing MQTT 5.0 §1.5.4.
    static func mqttValidatedString(_ bytes: ByteBuffer, _ field: StaticString) throws(MQTTCodecError) -> String {
        let view = bytes.readableBytesView
        // > A UTF-8 Encoded String MUST NOT include an encoding of the null character U+0000.
        // > [MQTT-1.5.4-2]. If a receiver (Server or Client) receives an MQTT Control Packet
        // > containing U+0000 it is a Malformed Packet.
        // In well-formed UTF-8 the only encoding of U+0000 is the byte 0x00 (0xC0 0x80 is an
        // overlong, ill-formed sequence), so looking for that byte is enough.
        let hasNull = view.withContiguousStorageIfAvailable { $0.contains(0) } ?? view.contains(0)
        if hasNull {
            throw .malformed("\(field) contains U+0000 (MQTT-1.5.4-2)")
        }
        // > The character data in a UTF-8 Encoded String MUST be well-formed UTF-8 [...]. In
        // > particular, the character data MUST NOT include encodings of code points between U+D800
        // > and U+DFFF [MQTT-1.5.4-1].
        // The standard library's validation rejects surrogates, overlong forms and truncated
        // sequences. The 0xEF 0xBB 0xBF sequence is kept as U+FEFF, never stripped (MQTT-1.5.4-3).
        guard let string = String(validating: view, as: UTF8.self) else {
            throw .malformed("\(field) is not well-formed UTF-8 (MQTT-1.5.4-1)")
        }
        return string
    }

    /// Writes a UTF-8 Encoded String; the caller has checked it with `validateMQTTString`.
    @discardableResult
    mutating func writeMQTTString(_ string: String) -> Int {
        let length = string.utf8.count
        assert(length <= MQTTLimits.maximumStringLength)
        return self.writeInteger(UInt16(truncatingIfNeeded: length)) + self.writeString(string)
    }

    /// Reads a UTF-8 String Pair (MQTT 5.0 §1.5.7); both strings follow §1.5.4 (MQTT-1.5.7-1).
    mutating func readMQTTStringPair(_ field: StaticString) throws(MQTTCodecError) -> (String, String) {
        let name = try self.readMQTTString(field)
        let value = try self.readMQTTString(field)
        return (name, value)
    }

    // MARK: Binary Data

    /// Reads Binary Data (MQTT 5.0 §1.5.6) as a slice of this buffer: no bytes are copied.
    mutating func readMQTTBinaryData(_ field: StaticString) throws(MQTTCodecError) -> ByteBuffer {
        guard let length = self.readInteger(endianness: .big, as: UInt16.self) else {
            throw .malformed("\(field): data length runs past the end of the packet")
        }
        guard let data = self.readSlice(length: Int(length)) else {
            throw .malformed("\(field): \(length) bytes of data run past the end of the packet")
        }
        return data
    }

    /// Writes Binary Data; the caller has checked the length with `validateMQTTBinaryData`.
    @discardableResult
    mutating func writeMQTTBinaryData(_ data: ByteBuffer) -> Int {
        assert(data.readableBytes <= MQTTLimits.maximumStringLength)
        return self.writeInteger(UInt16(truncatingIfNeeded: data.readableBytes)) + self.writeImmutableBuffer(data)
    }
}

// MARK: - Checks before writing

/// Checks a string the encoder is about to write as a UTF-8 Encoded String (MQTT 5.0 §1.5.4).
///
/// A Swift `String` is always well-formed, so only the length limit and U+0000 remain to check.
func validateMQTTString(_ string: String, _ field: StaticString) throws(MQTTCodecError) {
    let utf8 = string.utf8
    guard utf8.count <= MQTTLimits.maximumStringLength else {
        throw .malformed(
            "\(field) is \(utf8.count) bytes; a UTF-8 Encoded String holds at most 65,535 (MQTT 5.0 §1.5.4)"
        )
    }
    let hasNull = utf8.withContiguousStorageIfAvailable { $0.contains(0) } ?? utf8.contains(0)
    if hasNull {
        throw .malformed("\(field) contains U+0000 (MQTT-1.5.4-2)")
    }
}

/// Checks the length of data the encoder is about to write as Binary Data (MQTT 5.0 §1.5.6).
func validateMQTTBinaryData(_ data: ByteBuffer, _ field: StaticString) throws(MQTTCodecError) {
    guard data.readableBytes <= MQTTLimits.maximumStringLength else {
        throw .malformed("\(field) is \(data.readableBytes) bytes; Binary Data holds at most 65,535 (MQTT 5.0 §1.5.6)")
    }
}

/// The encoded size of a UTF-8 Encoded String.
func mqttStringLength(_ string: String) -> Int { 2 + string.utf8.count }
