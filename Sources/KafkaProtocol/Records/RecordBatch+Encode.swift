import NIOCore

extension RecordBatch {
    /// Encodes the batch in format v2, compressing the records with `attributes.compression`.
    /// `magic` must be 2: this module never writes the legacy formats.
    public func encode(
        into buffer: inout ByteBuffer,
        compressionLevel: Int32? = nil,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws {
        guard self.magic == 2 else {
            throw KafkaProtocolError(code: .unsupportedMagic, detail: "only magic 2 is written, not \(self.magic)")
        }
        var records = allocator.buffer(capacity: 256)
        for record in self.records {
            try Record.write(
                attributes: record.attributes,
                timestampDelta: record.timestampDelta,
                offsetDelta: record.offsetDelta,
                key: record.key,
                value: record.value,
                headers: record.headers,
                into: &records
            )
        }
        try Self.write(
            header: self,
            recordCount: Int32(clamping: self.records.count),
            uncompressedRecords: records,
            compressionLevel: compressionLevel,
            into: &buffer,
            allocator: allocator
        )
    }

    /// Writes header fields of `header` (its records are ignored) around already encoded records.
    static func write(
        header: RecordBatch,
        recordCount: Int32,
        uncompressedRecords: ByteBuffer,
        compressionLevel: Int32?,
        into buffer: inout ByteBuffer,
        allocator: ByteBufferAllocator
    ) throws {
        let records = try header.attributes.compression.compress(
            uncompressedRecords,
            level: compressionLevel,
            allocator: allocator
        )
        let totalSize = Self.headerSize + records.readableBytes
        guard totalSize - Self.logOverhead <= Int(Int32.max) else {
            throw KafkaProtocolError(code: .invalidLength, detail: "record batch of \(totalSize) bytes")
        }
        buffer.reserveCapacity(minimumWritableBytes: totalSize)
        let start = buffer.writerIndex
        buffer.writeKafkaInt64(header.baseOffset)
        buffer.writeKafkaInt32(Int32(totalSize - Self.logOverhead))
        buffer.writeKafkaInt32(header.partitionLeaderEpoch)
        buffer.writeKafkaInt8(2)
        let crcIndex = buffer.writerIndex
        buffer.writeKafkaUInt32(0)  // patched below
        buffer.writeKafkaInt16(header.attributes.rawValue)
        buffer.writeKafkaInt32(header.lastOffsetDelta)
        buffer.writeKafkaInt64(header.baseTimestamp)
        buffer.writeKafkaInt64(header.maxTimestamp)
        buffer.writeKafkaInt64(header.producerID)
        buffer.writeKafkaInt16(header.producerEpoch)
        buffer.writeKafkaInt32(header.baseSequence)
        buffer.writeKafkaInt32(recordCount)
        var compressed = records
        buffer.writeBuffer(&compressed)
        let covered = buffer.getSlice(
            at: start + Self.attributesOffset,
            length: buffer.writerIndex - start - Self.attributesOffset
        )!
        buffer.setInteger(CRC32C.checksum(covered), at: crcIndex, endianness: .big)
    }
}
