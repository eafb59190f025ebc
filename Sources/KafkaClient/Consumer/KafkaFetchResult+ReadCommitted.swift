import KafkaProtocol
import NIOCore

extension KafkaFetchResult {
    /// Decodes a partition's record data for a read-committed consumer: as
    /// ``decode(records:topicPartition:from:highWatermark:)``, and also drops the records of
    /// aborted transactions.
    ///
    /// The Fetch answer lists each aborted transaction as (producer id, first offset). Walking
    /// the batches in order, a producer becomes "aborted" once a batch reaches the first offset
    /// of one of its aborted transactions; its transactional batches are skipped until its ABORT
    /// control marker (KIP-98, as the Java consumer's `Fetcher` does it).
    static func decode(
        records data: ByteBuffer?,
        topicPartition: TopicPartition,
        from offset: Int64,
        highWatermark: Int64,
        abortedTransactions: [FetchResponse.AbortedTransaction]
    ) throws -> KafkaFetchResult {
        guard let data, data.readableBytes > 0 else {
            return KafkaFetchResult(records: [], nextOffset: offset, highWatermark: highWatermark)
        }
        let decoded = try RecordBatch.decodeAll(from: data)
        var pending = abortedTransactions.sorted { $0.firstOffset < $1.firstOffset }[...]
        var abortedProducers = Set<Int64>()
        var records: [KafkaConsumerRecord] = []
        var nextOffset = offset
        for batch in decoded.batches {
            nextOffset = max(nextOffset, batch.nextOffset)
            let lastOffset = batch.nextOffset - 1
            while let first = pending.first, first.firstOffset <= lastOffset {
                abortedProducers.insert(first.producerID)
                pending.removeFirst()
            }
            if batch.attributes.isControl {
                if let key = batch.records.first?.key, let marker = try? ControlRecordType(key: key),
                    marker.type == ControlRecordType.abort.type
                {
                    abortedProducers.remove(batch.producerID)
                }
                continue
            }
            if batch.attributes.isTransactional && abortedProducers.contains(batch.producerID) { continue }
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
