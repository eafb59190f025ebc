import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

/// Records of aborted transactions are skipped under read_committed (KIP-98).
@Suite struct ReadCommittedDecodingTests {
    let tp = TopicPartition(topic: "t", partition: 0)

    func batch(at offset: Int64, producer: Int64, values: [String], transactional: Bool = true) -> RecordBatch {
        RecordBatch(
            baseOffset: offset,
            attributes: .init(isTransactional: transactional),
            lastOffsetDelta: Int32(values.count - 1),
            baseTimestamp: 0,
            maxTimestamp: 0,
            producerID: producer,
            records: values.enumerated().map {
                Record(
                    timestampDelta: 0,
                    offsetDelta: Int32($0.offset),
                    key: nil,
                    value: ByteBuffer(string: $0.element)
                )
            }
        )
    }

    func marker(at offset: Int64, producer: Int64, _ type: ControlRecordType) -> RecordBatch {
        var key = ByteBuffer()
        key.writeInteger(type.version)
        key.writeInteger(type.type)
        return RecordBatch(
            baseOffset: offset,
            attributes: .init(isTransactional: true, isControl: true),
            lastOffsetDelta: 0,
            baseTimestamp: 0,
            maxTimestamp: 0,
            producerID: producer,
            records: [
                Record(timestampDelta: 0, offsetDelta: 0, key: key, value: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0]))
            ]
        )
    }

    @Test func abortedTransactionsAreSkippedAndCommittedOnesKept() throws {
        var data = ByteBuffer()
        // Producer 1 aborts offsets 0-1; producer 2 commits 2-3; plain records at 6; producer 1
        // starts a new transaction at 7 that commits.
        try self.batch(at: 0, producer: 1, values: ["a0", "a1"]).encode(into: &data)
        try self.batch(at: 2, producer: 2, values: ["c2", "c3"]).encode(into: &data)
        try self.marker(at: 4, producer: 1, .abort).encode(into: &data)
        try self.marker(at: 5, producer: 2, .commit).encode(into: &data)
        try self.batch(at: 6, producer: -1, values: ["plain6"], transactional: false).encode(into: &data)
        try self.batch(at: 7, producer: 1, values: ["c7"]).encode(into: &data)
        try self.marker(at: 8, producer: 1, .commit).encode(into: &data)

        let result = try KafkaFetchResult.decode(
            records: data,
            topicPartition: self.tp,
            from: 0,
            highWatermark: 9,
            abortedTransactions: [.init(producerID: 1, firstOffset: 0)]
        )
        #expect(result.records.map { String(buffer: $0.value!) } == ["c2", "c3", "plain6", "c7"])
        #expect(result.records.map(\.offset) == [2, 3, 6, 7])
        #expect(result.nextOffset == 9)

        // Without the aborted list (read_uncommitted) everything but the markers comes back.
        let all = try KafkaFetchResult.decode(records: data, topicPartition: self.tp, from: 0, highWatermark: 9)
        #expect(all.records.count == 6)
    }
}
