import KafkaProtocol
import NIOCore

/// A record read from a partition.
public struct KafkaConsumerRecord: Hashable, Sendable {
    /// Where it was read.
    public var topicPartition: TopicPartition
    /// Its offset in the partition.
    public var offset: Int64
    /// The key (nil for a null key).
    public var key: ByteBuffer?
    /// The value (nil for a null value, e.g. a tombstone).
    public var value: ByteBuffer?
    /// Its headers, in order.
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch (CreateTime, or the broker's LogAppendTime); -1 if unknown.
    public var timestamp: Int64

    /// Creates a record.
    public init(
        topicPartition: TopicPartition,
        offset: Int64,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [KafkaHeader],
        timestamp: Int64
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }
}

/// What one fetch of a partition returned.
public struct KafkaFetchResult: Hashable, Sendable {
    /// The records at or after the requested offset, in offset order (control records left out).
    public var records: [KafkaConsumerRecord]
    /// Where the next fetch continues.
    public var nextOffset: Int64
    /// The partition's high watermark as the leader reported it.
    public var highWatermark: Int64

    /// Creates a result.
    public init(records: [KafkaConsumerRecord], nextOffset: Int64, highWatermark: Int64) {
        self.records = records
        self.nextOffset = nextOffset
        self.highWatermark = highWatermark
    }
}

extension KafkaFetchResult {
    /// Decodes a Fetch answer's record data for a partition: every codec and the legacy
    /// message formats; records before `offset` (a compressed batch starts earlier) and control
    /// batches are left out; a batch cut off at the end is fetched again next time.
    static func decode(
        records data: ByteBuffer?,
        topicPartition: TopicPartition,
        from offset: Int64,
        highWatermark: Int64
    ) throws -> KafkaFetchResult {
        guard let data, data.readableBytes > 0 else {
            return KafkaFetchResult(records: [], nextOffset: offset, highWatermark: highWatermark)
        }
        let decoded = try RecordBatch.decodeAll(from: data)
        var records: [KafkaConsumerRecord] = []
        var nextOffset = offset
        for batch in decoded.batches {
            nextOffset = max(nextOffset, batch.nextOffset)
            guard !batch.attributes.isControl else { continue }
            for record in batch.records where batch.offset(of: record) >= offset {
                records.append(
                    KafkaConsumerRecord(
                        topicPartition: topicPartition,
                        offset: batch.offset(of: record),
                        key: record.key,
                        value: record.value,
                        headers: record.headers,
                        timestamp: batch.timestamp(of: record)
                    )
                )
            }
        }
        return KafkaFetchResult(records: records, nextOffset: nextOffset, highWatermark: highWatermark)
    }
}
