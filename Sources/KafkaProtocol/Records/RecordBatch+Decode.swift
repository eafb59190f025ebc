import NIOCore

extension RecordBatch {
    /// Decodes every complete batch (or legacy message) in `records`, e.g. a Fetch partition's
    /// record data. A cut-off entry at the end is not an error: it is reported in
    /// ``DecodedRecordBatches/truncatedTrailingBytes``. Anything malformed before that throws.
    public static func decodeAll(
        from records: ByteBuffer,
        options: RecordDecodingOptions = RecordDecodingOptions()
    ) throws -> DecodedRecordBatches {
        var buffer = records
        var batches: [RecordBatch] = []
        while buffer.readableBytes > 0 {
            guard let entry = try Self.readEntry(from: &buffer) else { break }
            try withKafkaContext("batch at offset \(batches.count)") {
                try Self.decodeEntry(entry, options: options, into: &batches)
            }
        }
        return DecodedRecordBatches(batches: batches, truncatedTrailingBytes: buffer.readableBytes)
    }

    /// Decodes exactly one complete v2 batch (no legacy formats, no trailing bytes).
    public static func decode(
        from batch: ByteBuffer,
        options: RecordDecodingOptions = RecordDecodingOptions()
    ) throws -> RecordBatch {
        var buffer = batch
        guard let entry = try Self.readEntry(from: &buffer) else {
            throw KafkaProtocolError.truncated("record batch", needed: Self.headerSize, available: batch.readableBytes)
        }
        guard buffer.readableBytes == 0 else {
            throw KafkaProtocolError(code: .trailingBytes, detail: "\(buffer.readableBytes) bytes after the batch")
        }
        guard entry.getInteger(at: entry.readerIndex + Self.magicOffset, as: Int8.self) == 2 else {
            throw KafkaProtocolError(code: .unsupportedMagic, detail: "expected a magic 2 batch")
        }
        return try Self.decodeV2(entry, options: options)
    }

    /// Takes the next whole entry (log overhead included) as a slice, or returns nil (reader
    /// index unchanged) when the entry is cut off.
    private static func readEntry(from buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex + 8, endianness: .big, as: Int32.self) else {
            return nil
        }
        // The smallest entry is a v0 message: crc 4 + magic 1 + attributes 1 + key 4 + value 4.
        guard size >= 14 else {
            throw KafkaProtocolError(code: .invalidLength, detail: "record batch length \(size)")
        }
        return buffer.readSlice(length: Self.logOverhead + Int(size))
    }

    private static func decodeEntry(
        _ entry: ByteBuffer,
        options: RecordDecodingOptions,
        into batches: inout [RecordBatch]
    ) throws {
        let magic = entry.getInteger(at: entry.readerIndex + Self.magicOffset, as: Int8.self)!
        switch magic {
        case 2:
            batches.append(try Self.decodeV2(entry, options: options))
        case 0, 1:
            batches.append(try LegacyMessage.decodeEntry(entry, options: options))
        default:
            throw KafkaProtocolError(code: .unsupportedMagic, detail: "magic \(magic)")
        }
    }

    /// Decodes one complete v2 entry.
    static func decodeV2(_ entry: ByteBuffer, options: RecordDecodingOptions) throws -> RecordBatch {
        var buffer = entry
        guard buffer.readableBytes >= Self.headerSize else {
            throw KafkaProtocolError.truncated(
                "record batch header",
                needed: Self.headerSize,
                available: buffer.readableBytes
            )
        }
        let baseOffset = try buffer.readKafkaInt64()
        _ = try buffer.readKafkaInt32()  // batchLength: readEntry already cut the entry to it
        let partitionLeaderEpoch = try buffer.readKafkaInt32()
        let magic = try buffer.readKafkaInt8()
        let crc = try buffer.readKafkaUInt32()
        if options.verifyChecksums {
            let computed = CRC32C.checksum(buffer)
            guard computed == crc else {
                throw KafkaProtocolError(
                    code: .checksumMismatch,
                    detail: "CRC32C \(String(computed, radix: 16)) != stored \(String(crc, radix: 16))"
                )
            }
        }
        let attributes = try Attributes(rawValue: try buffer.readKafkaInt16())
        var batch = RecordBatch(
            baseOffset: baseOffset,
            partitionLeaderEpoch: partitionLeaderEpoch,
            magic: magic,
            attributes: attributes,
            lastOffsetDelta: try buffer.readKafkaInt32(),
            baseTimestamp: try buffer.readKafkaInt64(),
            maxTimestamp: try buffer.readKafkaInt64(),
            producerID: try buffer.readKafkaInt64(),
            producerEpoch: try buffer.readKafkaInt16(),
            baseSequence: try buffer.readKafkaInt32(),
            records: []
        )
        let count = try buffer.readKafkaInt32()
        var records = try attributes.compression.decompress(
            buffer,
            maximumSize: options.maximumDecompressedSize,
            allocator: options.allocator
        )
        guard count >= 0, Int(count) <= records.readableBytes / Record.minimumEncodedSize else {
            throw KafkaProtocolError.invalidLength(
                "record count",
                length: Int64(count),
                available: records.readableBytes
            )
        }
        for index in 0..<Int(count) {
            batch.records.append(try withKafkaContext("record \(index)") { try Record.read(from: &records) })
        }
        guard records.readableBytes == 0 else {
            throw KafkaProtocolError(
                code: .trailingBytes,
                detail: "\(records.readableBytes) bytes after \(count) records"
            )
        }
        return batch
    }
}
