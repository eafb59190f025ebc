import KafkaProtocol
import NIOCore
import Testing

@Suite("Wire primitives")
struct PrimitiveTests {
    @Test("fixed-width integers are big-endian and round-trip at their bounds")
    func integers() throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaInt8(.min)
        buffer.writeKafkaInt16(.min)
        buffer.writeKafkaInt32(.max)
        buffer.writeKafkaInt64(.min)
        buffer.writeKafkaUInt32(.max)
        buffer.writeKafkaBool(true)
        #expect(buffer.hexString == hex("80 8000 7fffffff 8000000000000000 ffffffff 01"))
        #expect(try buffer.readKafkaInt8() == .min)
        #expect(try buffer.readKafkaInt16() == .min)
        #expect(try buffer.readKafkaInt32() == .max)
        #expect(try buffer.readKafkaInt64() == .min)
        #expect(try buffer.readKafkaUInt32() == .max)
        #expect(try buffer.readKafkaBool() == true)
        #expect(throws: KafkaProtocolError.self) { try buffer.readKafkaInt16() }
    }

    @Test("any non-zero byte reads as true")
    func booleans() throws {
        var buffer = ByteBuffer(bytes: [0, 1, 7])
        #expect(try buffer.readKafkaBool() == false)
        #expect(try buffer.readKafkaBool() == true)
        #expect(try buffer.readKafkaBool() == true)
    }

    @Test(
        "varints use zig-zag and round-trip at boundaries",
        arguments: [Int32.min, -65, -64, -1, 0, 1, 63, 64, 8191, 8192, Int32.max]
    )
    func varint(value: Int32) throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaVarint(value)
        #expect(try buffer.readKafkaVarint() == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test("varint wire examples from the protocol buffers encoding")
    func varintWire() throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaVarint(0)
        buffer.writeKafkaVarint(-1)
        buffer.writeKafkaVarint(1)
        buffer.writeKafkaVarint(-64)
        buffer.writeKafkaVarint(64)
        buffer.writeKafkaVarint(Int32.min)
        #expect(buffer.hexString == hex("00 01 02 7f 8001 ffffffff0f"))
        buffer.clear()
        buffer.writeKafkaUnsignedVarint(300)
        #expect(buffer.hexString == "ac02")
    }

    @Test("varlongs round-trip at boundaries", arguments: [Int64.min, -1, 0, 1, Int64(Int32.max) + 1, Int64.max])
    func varlong(value: Int64) throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaVarlong(value)
        #expect(try buffer.readKafkaVarlong() == value)
        #expect(buffer.readableBytes == 0)
    }

    @Test("over-long and truncated varints throw")
    func varintErrors() throws {
        var tooLong = ByteBuffer(bytes: [0x80, 0x80, 0x80, 0x80, 0x80, 0x01])
        #expect(throws: KafkaProtocolError.self) { try tooLong.readKafkaVarint() }
        var tooLongLong = ByteBuffer(bytes: [UInt8](repeating: 0xFF, count: 11))
        #expect(throws: KafkaProtocolError.self) { try tooLongLong.readKafkaVarlong() }
        var truncated = ByteBuffer(bytes: [0x80, 0x80])
        #expect(throws: KafkaProtocolError.self) { try truncated.readKafkaVarint() }
        #expect(truncated.readableBytes == 2)
        var over32Bits = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        #expect(throws: KafkaProtocolError.self) { try over32Bits.readKafkaUnsignedVarint() }
    }

    @Test("strings: null, empty and text in classic and compact forms")
    func strings() throws {
        var buffer = ByteBuffer()
        try buffer.writeKafkaNullableString(nil)
        try buffer.writeKafkaString("")
        try buffer.writeKafkaString("héllo")
        buffer.writeKafkaCompactNullableString(nil)
        buffer.writeKafkaCompactString("")
        buffer.writeKafkaCompactString("héllo")
        #expect(buffer.hexString == hex("ffff 0000 000668c3a96c6c6f 00 01 0768c3a96c6c6f"))
        #expect(try buffer.readKafkaNullableString() == nil)
        #expect(try buffer.readKafkaString() == "")
        #expect(try buffer.readKafkaString() == "héllo")
        #expect(try buffer.readKafkaCompactNullableString() == nil)
        #expect(try buffer.readKafkaCompactString() == "")
        #expect(try buffer.readKafkaCompactString() == "héllo")
    }

    @Test("a null where a non-nullable string is expected throws")
    func nullStringRejected() throws {
        var classic = ByteBuffer(bytes: [0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.self) { try classic.readKafkaString() }
        var compact = ByteBuffer(bytes: [0x00])
        #expect(throws: KafkaProtocolError.self) { try compact.readKafkaCompactString() }
        var negative = ByteBuffer(bytes: [0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.self) { try negative.readKafkaNullableString() }
    }

    @Test("a string longer than 32767 bytes cannot be written as STRING")
    func stringTooLong() throws {
        var buffer = ByteBuffer()
        #expect(throws: KafkaProtocolError.self) { try buffer.writeKafkaString(String(repeating: "a", count: 32768)) }
        #expect(buffer.readableBytes == 0)
    }

    @Test("bytes: null, empty and data in classic and compact forms")
    func bytes() throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaNullableBytes(nil)
        buffer.writeKafkaBytes(ByteBuffer())
        buffer.writeKafkaBytes(ByteBuffer(bytes: [1, 2]))
        buffer.writeKafkaCompactNullableBytes(nil)
        buffer.writeKafkaCompactBytes(ByteBuffer())
        buffer.writeKafkaCompactBytes(ByteBuffer(bytes: [1, 2]))
        #expect(buffer.hexString == hex("ffffffff 00000000 000000020102 00 01 030102"))
        #expect(try buffer.readKafkaNullableBytes() == nil)
        #expect(try buffer.readKafkaBytes() == ByteBuffer())
        #expect(try buffer.readKafkaBytes() == ByteBuffer(bytes: [1, 2]))
        #expect(try buffer.readKafkaCompactNullableBytes() == nil)
        #expect(try buffer.readKafkaCompactBytes() == ByteBuffer())
        #expect(try buffer.readKafkaCompactBytes() == ByteBuffer(bytes: [1, 2]))
    }

    @Test("arrays: null, empty and elements in classic and compact forms")
    func arrays() throws {
        for flexible in [false, true] {
            var buffer = ByteBuffer()
            try buffer.writeKafkaNullableArray(nil as [Int32]?, flexible: flexible) { $0.writeKafkaInt32($1) }
            try buffer.writeKafkaInt32Array([], flexible: flexible)
            try buffer.writeKafkaInt32Array([1, -1], flexible: flexible)
            try buffer.writeKafkaStringArray(["a", ""], flexible: flexible)
            let nullArray = try buffer.readKafkaNullableArray(flexible: flexible) { try $0.readKafkaInt32() }
            #expect(nullArray == nil)
            #expect(try buffer.readKafkaInt32Array(flexible: flexible) == [])
            #expect(try buffer.readKafkaInt32Array(flexible: flexible) == [1, -1])
            #expect(try buffer.readKafkaStringArray(flexible: flexible) == ["a", ""])
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test("an array count larger than the bytes left throws before reading elements")
    func hugeArrayCount() throws {
        var classic = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1])
        #expect(throws: KafkaProtocolError.self) { try classic.readKafkaInt32Array(flexible: false) }
        var compact = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3])
        #expect(throws: KafkaProtocolError.self) { try compact.readKafkaInt32Array(flexible: true) }
        var negative = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(throws: KafkaProtocolError.self) { try negative.readKafkaInt32Array(flexible: false) }
    }

    @Test("a byte length of 2^31-1 with 10 bytes left throws at once")
    func hugeLengths() throws {
        var bytes = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 10))
        let error = #expect(throws: KafkaProtocolError.self) { try bytes.readKafkaBytes() }
        #expect(error?.code == .invalidLength)
        var compact = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x07] + [UInt8](repeating: 0, count: 10))
        #expect(throws: KafkaProtocolError.self) { try compact.readKafkaCompactBytes() }
        var string = ByteBuffer(bytes: [0x7F, 0xFF, 0x41])
        #expect(throws: KafkaProtocolError.self) { try string.readKafkaString() }
    }

    @Test("UUIDs are 16 big-endian bytes and print as Kafka prints them")
    func uuid() throws {
        let uuid = KafkaUUID(mostSignificantBits: 0x0102_0304_0506_0708, leastSignificantBits: 0x090A_0B0C_0D0E_0F10)
        var buffer = ByteBuffer()
        buffer.writeKafkaUUID(uuid)
        #expect(buffer.hexString == "0102030405060708090a0b0c0d0e0f10")
        #expect(try buffer.readKafkaUUID() == uuid)
        #expect(uuid.description == "AQIDBAUGBwgJCgsMDQ4PEA")
        #expect(KafkaUUID.zero.description == "AAAAAAAAAAAAAAAAAAAAAA")
        var short = ByteBuffer(bytes: [1, 2, 3])
        #expect(throws: KafkaProtocolError.self) { try short.readKafkaUUID() }
    }

    @Test("tagged fields: known ones decode, unknown ones are skipped by length")
    func taggedFields() throws {
        var fields = KafkaTaggedFields()
        fields.append(tag: 7) { $0.writeKafkaInt32(42) }
        fields.append(tag: 1) { $0.writeString("unknown") }
        fields.append(tag: 300) { $0.writeKafkaInt64(-1) }
        var buffer = ByteBuffer()
        buffer.writeKafkaTaggedFields(fields)
        buffer.writeKafkaInt8(99)  // what follows the section
        // Sorted by tag: 1, 7, 300 (a two-byte tag).
        #expect(buffer.hexString.hasPrefix(hex("03 01 07 756e6b6e6f776e 07 04 0000002a ac02 08")))
        var seven: Int32?
        try buffer.readKafkaTaggedFields { tag, data in
            guard tag == 7 else { return false }
            seven = try data.readKafkaInt32()
            return true
        }
        #expect(seven == 42)
        #expect(try buffer.readKafkaInt8() == 99)
    }

    @Test("a known tagged field that leaves bytes unread, or a field longer than the input, throws")
    func taggedFieldErrors() throws {
        var fields = KafkaTaggedFields()
        fields.append(tag: 0) { $0.writeKafkaInt64(1) }
        var buffer = ByteBuffer()
        buffer.writeKafkaTaggedFields(fields)
        #expect(throws: KafkaProtocolError.self) {
            try buffer.readKafkaTaggedFields { _, data in
                _ = try data.readKafkaInt32()
                return true
            }
        }
        var tooLong = ByteBuffer(bytes: [0x01, 0x00, 0x7F, 0x00])
        #expect(throws: KafkaProtocolError.self) { try tooLong.readKafkaTaggedFields() }
        var manyFields = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00])
        #expect(throws: KafkaProtocolError.self) { try manyFields.readKafkaTaggedFields() }
    }
}
