import NIOCore

/// Message format v0 and v1 (magic 0/1), which a Fetch may still return for old data
/// (Kafka documentation, "Message Sets"; v1 adds the timestamp, KIP-32):
///
///     offset: int64, message_size: int32,
///     crc: int32 (CRC32 of magic ... end), magic: int8, attributes: int8 (bits 0-2 codec,
///     bit 3 timestamp type in v1), timestamp: int64 (v1 only), key: bytes, value: bytes
///
/// A compressed message is a wrapper whose value is a compressed message set. Inner offsets are
/// absolute in v0; in v1 they are relative and the wrapper carries the offset of the last inner
/// message (KIP-31): absolute = wrapperOffset - lastInnerOffset + innerOffset.
enum LegacyMessage {
    struct Message {
        var offset: Int64
        var magic: Int8
        var codec: CompressionCodec
        var timestampType: RecordBatch.TimestampType
        var timestamp: Int64
        var key: ByteBuffer?
        var value: ByteBuffer?
    }

    /// Decodes one entry (a plain message or a compressed wrapper) into a batch.
    static func decodeEntry(_ entry: ByteBuffer, options: RecordDecodingOptions) throws -> RecordBatch {
        let message = try Self.readMessage(entry, verifyChecksum: options.verifyChecksums)
        guard message.codec != .uncompressed else {
            return Self.batch(of: [message], wrapper: message)
        }
        guard message.codec != .zstd else {
            throw KafkaProtocolError(code: .unsupportedCompression, detail: "zstd in message format v\(message.magic)")
        }
        guard var compressed = message.value else {
            throw KafkaProtocolError(code: .invalidValue, detail: "compressed wrapper message without a value")
        }
        if message.codec == .lz4 && message.magic == 0 {
            compressed = LZ4LegacyFraming.repairHeaderChecksum(compressed)
        }
        var inner = try message.codec.decompress(
            compressed,
            maximumSize: options.maximumDecompressedSize,
            allocator: options.allocator
        )
        var messages: [Message] = []
        while inner.readableBytes > 0 {
            guard let size = inner.getInteger(at: inner.readerIndex + 8, endianness: .big, as: Int32.self),
                size >= 14, let innerEntry = inner.readSlice(length: RecordBatch.logOverhead + Int(size))
            else {
                throw KafkaProtocolError(code: .invalidLength, detail: "inner message set is malformed")
            }
            var innerMessage = try Self.readMessage(innerEntry, verifyChecksum: options.verifyChecksums)
            guard innerMessage.codec == .uncompressed else {
                throw KafkaProtocolError(code: .invalidValue, detail: "nested compression in a wrapper message")
            }
            if message.timestampType == .logAppendTime {
                innerMessage.timestamp = message.timestamp
            }
            messages.append(innerMessage)
        }
        guard let lastInner = messages.last else {
            throw KafkaProtocolError(code: .invalidValue, detail: "compressed wrapper message holds no message")
        }
        if message.magic >= 1 {
            let shift = message.offset - lastInner.offset
            for index in messages.indices { messages[index].offset += shift }
        }
        return Self.batch(of: messages, wrapper: message)
    }

    private static func readMessage(_ entry: ByteBuffer, verifyChecksum: Bool) throws -> Message {
        var buffer = entry
        let offset = try buffer.readKafkaInt64()
        _ = try buffer.readKafkaInt32()  // size: the caller cut the entry to it
        let crc = try buffer.readKafkaUInt32()
        if verifyChecksum {
            let computed = CRC32.checksum(buffer)
            guard computed == crc else {
                throw KafkaProtocolError(
                    code: .checksumMismatch,
                    detail: "CRC32 \(String(computed, radix: 16)) != stored \(String(crc, radix: 16))"
                )
            }
        }
        let magic = try buffer.readKafkaInt8()
        let attributes = try buffer.readKafkaInt8()
        guard let codec = CompressionCodec(rawValue: attributes & 0x07) else {
            throw KafkaProtocolError(code: .unsupportedCompression, detail: "compression codec id \(attributes & 0x07)")
        }
        let timestamp = magic >= 1 ? try buffer.readKafkaInt64() : -1
        let message = Message(
            offset: offset,
            magic: magic,
            codec: codec,
            timestampType: magic >= 1 && attributes & 0x08 != 0 ? .logAppendTime : .createTime,
            timestamp: timestamp,
            key: try buffer.readKafkaNullableBytes(),
            value: try buffer.readKafkaNullableBytes()
        )
        guard buffer.readableBytes == 0 else {
            throw KafkaProtocolError(code: .trailingBytes, detail: "\(buffer.readableBytes) bytes after a message")
        }
        return message
    }

    private static func batch(of messages: [Message], wrapper: Message) -> RecordBatch {
        let base = messages[0]
        let maxTimestamp = messages.map(\.timestamp).max() ?? -1
        let records = messages.map { message in
            Record(
                timestampDelta: message.timestamp &- base.timestamp,
                offsetDelta: Int32(truncatingIfNeeded: message.offset &- base.offset),
                key: message.key,
                value: message.value
            )
        }
        return RecordBatch(
            baseOffset: base.offset,
            magic: wrapper.magic,
            attributes: RecordBatch.Attributes(compression: wrapper.codec, timestampType: wrapper.timestampType),
            lastOffsetDelta: Int32(truncatingIfNeeded: messages[messages.count - 1].offset &- base.offset),
            baseTimestamp: base.timestamp,
            maxTimestamp: wrapper.timestampType == .logAppendTime ? wrapper.timestamp : maxTimestamp,
            records: records
        )
    }
}
