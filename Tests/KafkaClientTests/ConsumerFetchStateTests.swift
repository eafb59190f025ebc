import NIOCore
import Testing

@testable import KafkaClient

@Suite struct ConsumerFetchStateTests {
    let p0 = TopicPartition(topic: "t", partition: 0)
    let p1 = TopicPartition(topic: "t", partition: 1)

    func result(_ partition: TopicPartition, _ offsets: Range<Int64>, highWatermark: Int64 = 100) -> KafkaFetchResult {
        KafkaFetchResult(
            records: offsets.map {
                KafkaConsumerRecord(
                    topicPartition: partition,
                    offset: $0,
                    key: nil,
                    value: ByteBuffer(string: "\($0)"),
                    headers: [],
                    timestamp: 0
                )
            },
            nextOffset: offsets.upperBound,
            highWatermark: highWatermark
        )
    }

    @Test func fetchAdvancesThePositionAndHandsOutInOrder() {
        var state = ConsumerFetchState(capacity: 100)
        state.assign([self.p0: 5])
        let work = state.startFetch()
        #expect(work == [self.p0: 5])
        // Already being fetched: not handed out twice.
        let result1 = state.startFetch()
        #expect(result1 == [:])
        let result2 = state.finishFetch(self.p0, from: 5, epoch: state.epoch, result: self.result(self.p0, 5..<8))
        #expect(result2)
        #expect(state.partitions[self.p0]?.position == 8)
        let result3 = state.next(trackConsumed: true)
        #expect(result3?.offset == 5)
        let result4 = state.next(trackConsumed: true)
        #expect(result4?.offset == 6)
        #expect(state.consumed == [self.p0: 7])
        #expect(state.lag == [self.p0: 92])
    }

    @Test func aFullBufferStopsFetching() {
        var state = ConsumerFetchState(capacity: 3)
        state.assign([self.p0: 0, self.p1: 0])
        let epoch = state.epoch
        _ = state.startFetch()
        state.finishFetch(self.p0, from: 0, epoch: epoch, result: self.result(self.p0, 0..<3))
        state.finishFetch(self.p1, from: 0, epoch: epoch, result: nil)
        #expect(state.isBufferFull)
        let result5 = state.startFetch()
        #expect(result5 == [:])
        _ = state.next(trackConsumed: false)
        let result6 = state.startFetch()
        #expect(result6 == [self.p0: 3, self.p1: 0])
    }

    @Test func revocationDropsBufferedRecordsAndLateAnswers() {
        var state = ConsumerFetchState(capacity: 100)
        state.assign([self.p0: 0, self.p1: 0])
        let epoch = state.epoch
        _ = state.startFetch()
        state.finishFetch(self.p0, from: 0, epoch: epoch, result: self.result(self.p0, 0..<3))
        let result7 = state.revokeAll()
        #expect(result7 == [self.p0, self.p1])
        let result8 = state.next(trackConsumed: false)
        #expect(result8 == nil)
        // p1's answer arrives after the revocation: dropped even if p1 is assigned again.
        state.assign([self.p1: 0])
        let result9 = state.finishFetch(self.p1, from: 0, epoch: epoch, result: self.result(self.p1, 0..<2))
        #expect(!result9)
        let result10 = state.next(trackConsumed: false)
        #expect(result10 == nil)
    }

    @Test func pauseDropsBufferedRecordsAndResumeContinuesWithoutAGap() {
        var state = ConsumerFetchState(capacity: 100)
        state.assign([self.p0: 0, self.p1: 0])
        _ = state.startFetch()
        state.finishFetch(self.p0, from: 0, epoch: state.epoch, result: self.result(self.p0, 0..<4))
        state.finishFetch(self.p1, from: 0, epoch: state.epoch, result: self.result(self.p1, 0..<2))
        let result11 = state.next(trackConsumed: false)
        #expect(result11?.offset == 0)
        state.pause([self.p0])
        // p0's records 1..<4 are gone; its position went back to 1.
        #expect(state.partitions[self.p0]?.position == 1)
        let result12 = state.startFetch()
        #expect(result12 == [self.p1: 2])
        let result13 = state.next(trackConsumed: false)
        #expect(result13?.topicPartition == self.p1)
        state.resume([self.p0])
        let result14 = state.startFetch()
        #expect(result14 == [self.p0: 1])
    }

    @Test func anAnswerFromAnOldPositionIsDropped() {
        var state = ConsumerFetchState(capacity: 100)
        state.assign([self.p0: 10])
        _ = state.startFetch()
        state.seek(self.p0, to: 50)
        let result15 = state.finishFetch(self.p0, from: 10, epoch: state.epoch, result: self.result(self.p0, 10..<12))
        #expect(!result15)
        let result16 = state.startFetch()
        #expect(result16 == [self.p0: 50])
    }

    @Test func autoCommitForgetsOnlyWhatItCommitted() {
        var state = ConsumerFetchState(capacity: 100)
        state.assign([self.p0: 0])
        _ = state.startFetch()
        state.finishFetch(self.p0, from: 0, epoch: state.epoch, result: self.result(self.p0, 0..<3))
        _ = state.next(trackConsumed: true)
        let committed = state.consumed
        _ = state.next(trackConsumed: true)
        state.clearConsumed(committed)
        #expect(state.consumed == [self.p0: 2])
    }
}
