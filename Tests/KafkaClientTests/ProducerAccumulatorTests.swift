import KafkaProtocol
import NIOCore
import Testing

@testable import KafkaClient

@Suite struct ProducerAccumulatorTests {
    let start = ContinuousClock.now
    let tp = TopicPartition(topic: "t", partition: 0)

    private func accumulator(
        batchSize: Int = 1_000_000,
        linger: Duration = .milliseconds(5),
        idempotent: Bool = true,
        maxInFlight: Int = 5
    ) -> ProducerAccumulator {
        var accumulator = ProducerAccumulator(
            settings: .init(
                batchSize: batchSize,
                linger: linger,
                compression: .uncompressed,
                maxInFlightPerPartition: maxInFlight,
                idempotent: idempotent,
                deliveryTimeout: .seconds(120)
            )
        )
        if idempotent { accumulator.setProducerID(42, epoch: 0) }
        return accumulator
    }

    @discardableResult
    private func append(
        _ accumulator: inout ProducerAccumulator,
        _ id: UInt64,
        to tp: TopicPartition? = nil
    ) throws -> Bool {
        try accumulator.append(
            id: id,
            to: tp ?? self.tp,
            key: ByteBuffer(string: "k"),
            value: ByteBuffer(string: String(repeating: "v", count: 100)),
            headers: [],
            timestamp: 1_700_000_000_000,
            isSticky: false,
            now: self.start
        ).newBatch
    }

    private func drain(_ accumulator: inout ProducerAccumulator, at offset: Duration = .zero) -> [ProducerBatch] {
        accumulator.drain(now: self.start + offset) { _ in true }.batches
    }

    @Test func aBatchWaitsForLingerUnlessFull() throws {
        var accumulator = self.accumulator(batchSize: 400)
        try self.append(&accumulator, 1)
        let early = accumulator.drain(now: self.start) { _ in true }
        #expect(early.batches.isEmpty)
        #expect(early.nextWake == self.start + .milliseconds(5))
        #expect(self.drain(&accumulator, at: .milliseconds(5)).map(\.messageIDs) == [[1]])

        // Fill until a third batch opens: the first two are full and go at once, the third lingers.
        var batches = 0
        var id: UInt64 = 2
        while batches < 3 {
            if try self.append(&accumulator, id) { batches += 1 }
            id += 1
        }
        let full = self.drain(&accumulator)
        #expect(full.count == 2)
        #expect(full.allSatisfy { $0.messageIDs.count >= 2 && $0.builder.sizeInBytes <= 400 })
        #expect(self.drain(&accumulator, at: .milliseconds(5)).map(\.messageIDs) == [[id - 1]])
    }

    @Test func sequencesFollowDrainOrderAndAtMostFiveBatchesFly() throws {
        var accumulator = self.accumulator(batchSize: 200)
        for id in 1...14 { try self.append(&accumulator, UInt64(id)) }
        let sent = self.drain(&accumulator, at: .milliseconds(10))
        #expect(sent.count == 5)
        #expect(
            sent.map { $0.baseSequence }
                == sent.indices.map { index in
                    Int32(sent[..<index].reduce(0) { $0 + Int($1.recordCount) })
                }
        )
        #expect(sent.allSatisfy { $0.producerID == 42 && $0.producerEpoch == 0 })
        #expect(self.drain(&accumulator, at: .milliseconds(10)).isEmpty)
        let completion = accumulator.complete(sent[0], outcome: .delivered(baseOffset: 0), now: self.start)
        #expect(completion?.messageIDs == sent[0].messageIDs)
        #expect(self.drain(&accumulator, at: .milliseconds(10)).count == 1)
    }

    @Test func aRetryGoesBackInSequenceOrderAndWaitsForTheInFlightBatches() throws {
        var accumulator = self.accumulator(batchSize: 200)
        // 200 bytes hold one record: one batch per record.
        for id in 1...3 { try self.append(&accumulator, UInt64(id)) }
        let sent = self.drain(&accumulator, at: .milliseconds(10))
        #expect(sent.count == 3)
        let lost = KafkaError(code: .connectionClosed, message: "cut", isRetriable: true)
        #expect(accumulator.complete(sent[0], outcome: .retry(lost), now: self.start) == nil)
        // The next batch overtook the lost one: the broker answers OUT_OF_ORDER_SEQUENCE_NUMBER.
        let outOfOrder = accumulator.outcome(for: .outOfOrderSequenceNumber, baseOffset: -1, batch: sent[1])
        guard case .retry = outOfOrder else {
            Issue.record("expected a retry, got \(outOfOrder)")
            return
        }
        #expect(accumulator.complete(sent[1], outcome: outOfOrder, now: self.start) == nil)
        // sent[2] is still in flight: retries wait for it.
        #expect(self.drain(&accumulator, at: .milliseconds(10)).isEmpty)
        _ = accumulator.complete(sent[2], outcome: .retry(lost), now: self.start)
        let first = self.drain(&accumulator, at: .milliseconds(10))
        #expect(first.map(\.baseSequence) == [sent[0].baseSequence])
        #expect(self.drain(&accumulator, at: .milliseconds(10)).isEmpty)
        _ = accumulator.complete(first[0], outcome: .delivered(baseOffset: 0), now: self.start)
        let second = self.drain(&accumulator, at: .milliseconds(10))
        #expect(second.map(\.baseSequence) == [sent[1].baseSequence])
        #expect(second[0].encoded == sent[1].encoded)
        #expect(accumulator.needsProducerID == false)
    }

    @Test func aFailedBatchForcesANewEpochAndSequencesRestart() throws {
        var accumulator = self.accumulator(batchSize: 200)
        for id in 1...2 { try self.append(&accumulator, UInt64(id)) }
        let sent = self.drain(&accumulator, at: .milliseconds(10))
        #expect(sent.count == 2)
        let outcome = accumulator.outcome(for: .outOfOrderSequenceNumber, baseOffset: -1, batch: sent[0])
        let completion = accumulator.complete(sent[0], outcome: outcome, now: self.start)
        #expect((try? completion?.result.get()) == nil)
        #expect(accumulator.needsProducerID)
        #expect(self.drain(&accumulator, at: .milliseconds(10)).isEmpty)
        _ = accumulator.complete(
            sent[1],
            outcome: .retry(KafkaError(code: .connectionClosed, message: "", isRetriable: true)),
            now: self.start
        )
        accumulator.setProducerID(42, epoch: 1)
        let resent = self.drain(&accumulator, at: .milliseconds(10))
        #expect(resent.first?.baseSequence == 0)
        #expect(resent.first?.producerEpoch == 1)
    }

    @Test func duplicatesCountAsDeliveredAndMemoryIsReleased() throws {
        var accumulator = self.accumulator()
        try self.append(&accumulator, 1)
        #expect(accumulator.bufferedBytes > 0)
        let sent = self.drain(&accumulator, at: .milliseconds(10))
        let outcome = accumulator.outcome(for: .duplicateSequenceNumber, baseOffset: 7, batch: sent[0])
        #expect(outcome == .delivered(baseOffset: -1))
        _ = accumulator.complete(sent[0], outcome: outcome, now: self.start)
        #expect(accumulator.bufferedBytes == 0)
        #expect(accumulator.isEmpty)
    }

    @Test func withoutIdempotenceOneBatchPerPartitionFlies() throws {
        var accumulator = self.accumulator(batchSize: 200, idempotent: false, maxInFlight: 1)
        for id in 1...6 { try self.append(&accumulator, UInt64(id)) }
        let sent = self.drain(&accumulator, at: .milliseconds(10))
        #expect(sent.count == 1)
        #expect(sent[0].baseSequence == nil)
    }

    @Test func stickyPartitionMovesWhenItsBatchIsSent() throws {
        var accumulator = self.accumulator()
        let first = accumulator.stickyPartition(topic: "t", partitionCount: 1000)
        #expect(accumulator.stickyPartition(topic: "t", partitionCount: 1000) == first)
        try self.append(&accumulator, 1, to: TopicPartition(topic: "t", partition: first))
        _ = self.drain(&accumulator, at: .milliseconds(10))
        var moved = false
        for _ in 0..<5 where accumulator.stickyPartition(topic: "t", partitionCount: 1000) != first { moved = true }
        #expect(moved)
    }

    @Test func waitingLongerThanTheDeliveryTimeoutFails() throws {
        var accumulator = self.accumulator()
        try self.append(&accumulator, 1)
        let drained = accumulator.drain(now: self.start + .seconds(121)) { _ in false }
        #expect(drained.expired.count == 1)
        #expect(accumulator.isEmpty)
    }
}
