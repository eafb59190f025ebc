import NIOCore
import Testing

@testable import MQTTCodec

@Suite("Wire primitives (MQTT 5.0 §1.5)")
struct WirePrimitiveTests {
    // MARK: Variable Byte Integer, §1.5.5

    @Test(
        "Variable Byte Integer boundaries encode minimally and decode back",
        arguments: [
            (0, [0x00]),
            (127, [0x7F]),
            (128, [0x80, 0x01]),
            (16_383, [0xFF, 0x7F]),
            (16_384, [0x80, 0x80, 0x01]),
            (2_097_151, [0xFF, 0xFF, 0x7F]),
            (2_097_152, [0x80, 0x80, 0x80, 0x01]),
            (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
        ] as [(Int, [UInt8])]
    )
    func variableByteIntegerBoundaries(value: Int, bytes: [UInt8]) throws {
        var buffer = ByteBuffer()
        #expect(buffer.writeMQTTVariableByteInteger(value) == bytes.count)
        #expect(buffer.bytes == bytes)
        #expect(ByteBuffer.mqttVariableByteIntegerLength(value) == bytes.count)
        let decoded = try buffer.getMQTTVariableByteInteger(at: buffer.readerIndex)
        #expect(decoded?.value == value)
        #expect(decoded?.length == bytes.count)
    }

    @Test("A Variable Byte Integer cut short is incomplete, not an error")
    func variableByteIntegerIncomplete() throws {
        for bytes: [UInt8] in [[], [0x80], [0xFF, 0xFF], [0x80, 0x80, 0x80]] {
            let buffer = ByteBuffer(bytes: bytes)
            #expect(try buffer.getMQTTVariableByteInteger(at: buffer.readerIndex) == nil)
        }
    }

    @Test("A fifth byte is malformed (§1.5.5: at most four bytes)")
    func variableByteIntegerTooLong() {
        let buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        let error = #expect(throws: MQTTCodecError.self) {
            _ = try buffer.getMQTTVariableByteInteger(at: buffer.readerIndex)
        }
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test(
        "Non-minimal encodings are malformed (MQTT-1.5.5-1)",
        arguments: [[0x80, 0x00], [0xFF, 0x00], [0x80, 0x80, 0x00], [0x81, 0x80, 0x80, 0x00]] as [[UInt8]]
    )
    func variableByteIntegerNonMinimal(bytes: [UInt8]) {
        let buffer = ByteBuffer(bytes: bytes)
        let error = #expect(throws: MQTTCodecError.self) {
            _ = try buffer.getMQTTVariableByteInteger(at: buffer.readerIndex)
        }
        #expect(error?.reasonCode == .malformedPacket)
    }

    // MARK: Integers, §1.5.2 and §1.5.3

    @Test("Two and Four Byte Integers are big-endian and must be complete")
    func integers() throws {
        var buffer = ByteBuffer(bytes: [0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01])
        #expect(try buffer.readMQTTTwoByteInteger("x") == 0x1234)
        #expect(try buffer.readMQTTFourByteInteger("x") == 0xDEAD_BEEF)
        #expect(throws: MQTTCodecError.self) { try buffer.readMQTTTwoByteInteger("x") }
    }

    // MARK: UTF-8 Encoded String, §1.5.4

    @Test("Strings decode from a length prefix and UTF-8, the BOM kept (MQTT-1.5.4-3)")
    func strings() throws {
        var buffer = ByteBuffer(bytes: Wire.string("Grüße/🚗") + [0x00, 0x03, 0xEF, 0xBB, 0xBF])
        #expect(try buffer.readMQTTString("x") == "Grüße/🚗")
        #expect(try buffer.readMQTTString("x") == "\u{FEFF}")
        #expect(buffer.readableBytes == 0)
    }

    @Test(
        "Ill-formed strings are malformed (MQTT-1.5.4-1, MQTT-1.5.4-2)",
        arguments: [
            [0x61, 0x00, 0x62],  // U+0000
            [0xED, 0xA0, 0x80],  // U+D800, a surrogate
            [0xED, 0xBF, 0xBF],  // U+DFFF
            [0xC0, 0x80],  // overlong U+0000
            [0xE0, 0x80, 0xAF],  // overlong "/"
            [0xC3],  // truncated sequence
            [0x80],  // stray continuation byte
            [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
            [0xFF],
        ] as [[UInt8]]
    )
    func illFormedStrings(bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: Wire.binary(bytes))
        let error = #expect(throws: MQTTCodecError.self) {
            _ = try buffer.readMQTTString("x")
        }
        #expect(error?.reasonCode == .malformedPacket)
    }

    @Test("A string longer than what is left is malformed")
    func stringOverrun() {
        var buffer = ByteBuffer(bytes: [0x00, 0x05, 0x61, 0x62])
        #expect(throws: MQTTCodecError.self) { try buffer.readMQTTString("x") }
    }

    @Test("The encoder checks strings: at most 65,535 bytes, no U+0000")
    func stringValidation() throws {
        try validateMQTTString(String(repeating: "a", count: 65_535), "x")
        #expect(throws: MQTTCodecError.self) { try validateMQTTString(String(repeating: "a", count: 65_536), "x") }
        #expect(throws: MQTTCodecError.self) { try validateMQTTString("a\u{0}b", "x") }
    }

    // MARK: Binary Data and String Pair, §1.5.6 and §1.5.7

    @Test("Binary Data is a slice of the input, not a copy")
    func binaryDataIsASlice() throws {
        let input = ByteBuffer(bytes: Wire.binary([1, 2, 3, 4]))
        var reader = input
        let data = try reader.readMQTTBinaryData("x")
        #expect(data.bytes == [1, 2, 3, 4])
        let inputBase = input.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let dataBase = data.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(dataBase == inputBase + 2)
    }

    @Test("String pairs are two strings")
    func stringPair() throws {
        var buffer = ByteBuffer(bytes: Wire.string("name") + Wire.string("value"))
        let (name, value) = try buffer.readMQTTStringPair("x")
        #expect(name == "name")
        #expect(value == "value")
    }
}
