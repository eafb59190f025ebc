import KafkaProtocol
import NIOCore
import Testing

@Suite("RecordBatch v2 and legacy message sets")
struct RecordBatchTests {
    static func sampleBuilder(_ codec: CompressionCodec) throws -> RecordBatchBuilder {
        var builder = RecordBatchBuilder(compression: codec)
        try builder.append(
            key: buffer("k1"),
            value: buffer("v1"),
            headers: [RecordHeader(key: "h1", value: buffer("x")), RecordHeader(key: "empty", value: ByteBuffer())],
            timestamp: 1_700_000_000_000
        )
        try builder.append(key: nil, value: buffer("null key"), timestamp: 1_700_000_000_005)
        try builder.append(
            key: buffer("tombstone"),
            value: nil,
            headers: [RecordHeader(key: "null", value: nil)],
            timestamp: 1_699_999_999_990
        )
        return builder
    }

    @Test(
        "builder batches decode with every codec: records, headers, nulls, timestamps, producer fields",
        arguments: CompressionCodec.allCases
    )
    func builderRoundTrip(codec: CompressionCodec) throws {
        let builder = try Self.sampleBuilder(codec)
        #expect(builder.recordCount == 3)
        let encoded = try builder.build(
            baseOffset: 100,
            partitionLeaderEpoch: 7,
            producerID: 4242,
            producerEpoch: 3,
            baseSequence: 17
        )
        let batch = try RecordBatch.decode(from: encoded)
        #expect(batch.magic == 2)
        #expect(batch.baseOffset == 100)
        #expect(batch.partitionLeaderEpoch == 7)
        #expect(batch.attributes == RecordBatch.Attributes(compression: codec))
        #expect(batch.lastOffsetDelta == 2)
        #expect(batch.nextOffset == 103)
        #expect(batch.producerID == 4242)
        #expect(batch.producerEpoch == 3)
        #expect(batch.baseSequence == 17)
        #expect(batch.baseTimestamp == 1_700_000_000_000)
        #expect(batch.maxTimestamp == 1_700_000_000_005)
        #expect(batch.records.map { batch.offset(of: $0) } == [100, 101, 102])
        #expect(
            batch.records.map { batch.timestamp(of: $0) } == [1_700_000_000_000, 1_700_000_000_005, 1_699_999_999_990]
        )
        #expect(batch.records[0].key == buffer("k1"))
        #expect(
            batch.records[0].headers == [
                RecordHeader(key: "h1", value: buffer("x")), RecordHeader(key: "empty", value: ByteBuffer()),
            ]
        )
        #expect(batch.records[1].key == nil)
        #expect(batch.records[1].value == buffer("null key"))
        #expect(batch.records[2].value == nil)
        #expect(batch.records[2].headers == [RecordHeader(key: "null", value: nil)])
        if codec == .uncompressed {
            #expect(encoded.readableBytes == builder.sizeInBytes)
        }
    }

    @Test("model batches round-trip through encode and decode", arguments: CompressionCodec.allCases)
    func modelRoundTrip(codec: CompressionCodec) throws {
        let batch = RecordBatch(
            baseOffset: 5,
            partitionLeaderEpoch: 2,
            attributes: RecordBatch.Attributes(
                compression: codec,
                timestampType: .logAppendTime,
                isTransactional: true
            ),
            lastOffsetDelta: 1,
            baseTimestamp: 10,
            maxTimestamp: 99,
            producerID: 1,
            producerEpoch: 0,
            baseSequence: 0,
            records: [
                Record(timestampDelta: 0, offsetDelta: 0, key: nil, value: buffer("a")),
                Record(
                    timestampDelta: -5,
                    offsetDelta: 1,
                    key: buffer("b"),
                    value: nil,
                    headers: [RecordHeader(key: "h", value: nil)]
                ),
            ]
        )
        var encoded = ByteBuffer()
        try batch.encode(into: &encoded)
        let decoded = try RecordBatch.decode(from: encoded)
        #expect(decoded == batch)
        // LogAppendTime: every record carries the batch's max timestamp.
        #expect(decoded.records.map { decoded.timestamp(of: $0) } == [99, 99])
    }

    @Test("the v2 header layout matches the specification")
    func layout() throws {
        var builder = RecordBatchBuilder()
        try builder.append(key: nil, value: buffer("v"), timestamp: 1)
        let encoded = try builder.build(baseOffset: 0x0102, producerID: 9, producerEpoch: 1, baseSequence: 2)
        var reader = encoded
        #expect(try reader.readKafkaInt64() == 0x0102)  // baseOffset
        #expect(try reader.readKafkaInt32() == Int32(encoded.readableBytes - 12))  // batchLength
        #expect(try reader.readKafkaInt32() == -1)  // partitionLeaderEpoch
        #expect(try reader.readKafkaInt8() == 2)  // magic
        let crc = try reader.readKafkaUInt32()
        #expect(crc == CRC32C.checksum(reader))  // covers attributes ... end
        #expect(try reader.readKafkaInt16() == 0)  // attributes
        #expect(try reader.readKafkaInt32() == 0)  // lastOffsetDelta
        #expect(try reader.readKafkaInt64() == 1)  // baseTimestamp
        #expect(try reader.readKafkaInt64() == 1)  // maxTimestamp
        #expect(try reader.readKafkaInt64() == 9)  // producerId
        #expect(try reader.readKafkaInt16() == 1)  // producerEpoch
        #expect(try reader.readKafkaInt32() == 2)  // baseSequence
        #expect(try reader.readKafkaInt32() == 1)  // records count
        // record: length 7, attributes 0, timestampDelta 0, offsetDelta 0, key -1, value 1 "v", 0 headers
        #expect(reader.hexString == hex("0e 00 00 00 01 02 76 00"))
    }

    @Test("attribute bits: codec 0-2, timestamp type 3, transactional 4, control 5, delete horizon 6")
    func attributes() throws {
        let all = RecordBatch.Attributes(
            compression: .zstd,
            timestampType: .logAppendTime,
            isTransactional: true,
            isControl: true,
            hasDeleteHorizon: true
        )
        #expect(all.rawValue == 0b111_1100)
        #expect(try RecordBatch.Attributes(rawValue: 0b111_1100) == all)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.Attributes(rawValue: 5) }
    }

    @Test("a flipped byte fails the CRC32C check unless checks are off")
    func crcMismatch() throws {
        var encoded = try Self.sampleBuilder(.uncompressed).build()
        let index = encoded.writerIndex - 3
        encoded.setInteger(encoded.getInteger(at: index, as: UInt8.self)! ^ 0x01, at: index)
        let error = #expect(throws: KafkaProtocolError.self) { try RecordBatch.decode(from: encoded) }
        #expect(error?.code == .checksumMismatch)
        #expect(throws: Never.self) {
            try RecordBatch.decode(from: encoded, options: RecordDecodingOptions(verifyChecksums: false))
        }
    }

    @Test("decodeAll returns complete batches and reports a cut-off last batch")
    func partialTrailingBatch() throws {
        var data = ByteBuffer()
        for base in [0, 3, 6] as [Int64] {
            var batch = try Self.sampleBuilder(.gzip).build(baseOffset: base)
            data.writeBuffer(&batch)
        }
        let full = try RecordBatch.decodeAll(from: data)
        #expect(full.batches.count == 3)
        #expect(full.truncatedTrailingBytes == 0)
        #expect(full.nextOffset == 9)
        for cut in [1, 10, 30, 70] {
            var partial = data
            partial.moveWriterIndex(to: partial.writerIndex - cut)
            let decoded = try RecordBatch.decodeAll(from: partial)
            #expect(decoded.batches.count == 2)
            #expect(decoded.nextOffset == 6)
            #expect(decoded.truncatedTrailingBytes > 0)
        }
        let tiny = try RecordBatch.decodeAll(from: ByteBuffer(bytes: [0, 0, 0]))
        #expect(tiny.batches.isEmpty && tiny.truncatedTrailingBytes == 3)
    }

    @Test("corrupt counts and lengths inside a batch throw")
    func corruptRecords() throws {
        var batch = RecordBatch(
            lastOffsetDelta: 0,
            baseTimestamp: 0,
            maxTimestamp: 0,
            records: [Record(timestampDelta: 0, offsetDelta: 0, key: nil, value: buffer("v"))]
        )
        var encoded = ByteBuffer()
        try batch.encode(into: &encoded)
        // records count 2^31-1 with one record behind it
        var hugeCount = encoded
        hugeCount.setInteger(Int32.max, at: hugeCount.readerIndex + 57, endianness: .big)
        let options = RecordDecodingOptions(verifyChecksums: false)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.decode(from: hugeCount, options: options) }
        // key length -2
        batch.records[0].key = buffer("k")
        encoded.clear()
        try batch.encode(into: &encoded)
        var badKey = encoded
        badKey.setInteger(UInt8(3), at: badKey.readerIndex + 65)  // zig-zag 3 = -2
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.decode(from: badKey, options: options) }
        // unknown magic
        var badMagic = encoded
        badMagic.setInteger(Int8(3), at: badMagic.readerIndex + 16)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.decodeAll(from: badMagic) }
    }

    @Test("control batches carry transaction markers")
    func controlRecord() throws {
        var key = ByteBuffer()
        key.writeKafkaInt16(0)
        key.writeKafkaInt16(1)
        #expect(try ControlRecordType(key: key) == .commit)
    }

    // MARK: Message format v0 / v1

    /// Encodes one legacy message (offset, size, crc, magic, attributes, [timestamp], key, value).
    static func legacyMessage(
        offset: Int64,
        magic: Int8,
        attributes: Int8 = 0,
        timestamp: Int64 = -1,
        key: ByteBuffer?,
        value: ByteBuffer?
    ) -> ByteBuffer {
        var body = ByteBuffer()
        body.writeKafkaInt8(magic)
        body.writeKafkaInt8(attributes)
        if magic >= 1 { body.writeKafkaInt64(timestamp) }
        body.writeKafkaNullableBytes(key)
        body.writeKafkaNullableBytes(value)
        var message = ByteBuffer()
        message.writeKafkaInt64(offset)
        message.writeKafkaInt32(Int32(4 + body.readableBytes))
        message.writeKafkaUInt32(CRC32.checksum(body))
        message.writeBuffer(&body)
        return message
    }

    @Test("uncompressed v0 and v1 messages decode with offsets and timestamps")
    func legacyUncompressed() throws {
        var data = Self.legacyMessage(offset: 10, magic: 0, key: buffer("a"), value: buffer("1"))
        var second = Self.legacyMessage(offset: 11, magic: 1, timestamp: 555, key: nil, value: buffer("2"))
        data.writeBuffer(&second)
        let decoded = try RecordBatch.decodeAll(from: data)
        #expect(decoded.batches.count == 2)
        let first = decoded.batches[0]
        #expect(first.magic == 0)
        #expect(first.records.map { first.offset(of: $0) } == [10])
        #expect(first.records.map { first.timestamp(of: $0) } == [-1])
        #expect(first.records[0].key == buffer("a"))
        let v1 = decoded.batches[1]
        #expect(v1.magic == 1)
        #expect(v1.records.map { v1.timestamp(of: $0) } == [555])
        #expect(v1.records[0].key == nil)
        #expect(decoded.nextOffset == 12)
    }

    @Test(
        "compressed v1 wrappers use relative inner offsets",
        arguments: [CompressionCodec.gzip, .snappy, .lz4]
    )
    func legacyCompressedV1(codec: CompressionCodec) throws {
        var inner = ByteBuffer()
        for index in 0..<3 {
            var message = Self.legacyMessage(
                offset: Int64(index),
                magic: 1,
                timestamp: 1000 + Int64(index),
                key: nil,
                value: buffer("m\(index)")
            )
            inner.writeBuffer(&message)
        }
        let wrapper = Self.legacyMessage(
            offset: 52,  // the absolute offset of the last inner message
            magic: 1,
            attributes: codec.rawValue,
            timestamp: 1002,
            key: nil,
            value: try codec.compress(inner)
        )
        let decoded = try RecordBatch.decodeAll(from: wrapper)
        let batch = try #require(decoded.batches.first)
        #expect(batch.attributes.compression == codec)
        #expect(batch.records.map { batch.offset(of: $0) } == [50, 51, 52])
        #expect(batch.records.map { batch.timestamp(of: $0) } == [1000, 1001, 1002])
        #expect(batch.records.map(\.value) == [buffer("m0"), buffer("m1"), buffer("m2")])
        #expect(batch.nextOffset == 53)
    }

    @Test("LogAppendTime wrappers give every inner message the wrapper's timestamp")
    func legacyLogAppendTime() throws {
        var inner = Self.legacyMessage(offset: 0, magic: 1, timestamp: 1, key: nil, value: buffer("x"))
        var more = Self.legacyMessage(offset: 1, magic: 1, timestamp: 2, key: nil, value: buffer("y"))
        inner.writeBuffer(&more)
        let wrapper = Self.legacyMessage(
            offset: 1,
            magic: 1,
            attributes: CompressionCodec.gzip.rawValue | 0x08,
            timestamp: 777,
            key: nil,
            value: try CompressionCodec.gzip.compress(inner)
        )
        let batch = try #require(try RecordBatch.decodeAll(from: wrapper).batches.first)
        #expect(batch.records.map { batch.timestamp(of: $0) } == [777, 777])
    }

    @Test("v0 lz4 wrappers with Kafka 0.8's wrong frame header checksum decode; v1 ones must be right")
    func legacyLZ4HeaderChecksum() throws {
        let inner = Self.legacyMessage(offset: 7, magic: 0, key: nil, value: buffer("old lz4"))
        var frame = try CompressionCodec.lz4.compress(inner)
        // Frame: magic (4), FLG, BD, HC. Spoil HC as the broken encoder did (any wrong value).
        let hcIndex = frame.readerIndex + 6
        frame.setInteger(frame.getInteger(at: hcIndex, as: UInt8.self)! ^ 0x5A, at: hcIndex)
        let v0 = Self.legacyMessage(offset: 7, magic: 0, attributes: 3, key: nil, value: frame)
        let batch = try #require(try RecordBatch.decodeAll(from: v0).batches.first)
        #expect(batch.records.map { batch.offset(of: $0) } == [7])
        #expect(batch.records.first?.value == buffer("old lz4"))
        let v1 = Self.legacyMessage(offset: 7, magic: 1, attributes: 3, timestamp: 0, key: nil, value: frame)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.decodeAll(from: v1) }
    }

    @Test("a legacy CRC32 mismatch throws")
    func legacyCRC() throws {
        var message = Self.legacyMessage(offset: 0, magic: 1, timestamp: 0, key: nil, value: buffer("v"))
        message.setInteger(UInt8(ascii: "w"), at: message.writerIndex - 1)
        let error = #expect(throws: KafkaProtocolError.self) { try RecordBatch.decodeAll(from: message) }
        #expect(error?.code == .checksumMismatch)
    }
}
