import BrokerCore
import NIOCore
import Testing

/// `#expect` cannot expand a mutating call; this evaluates it first.
private func evaluated<T>(_ value: T) -> T { value }

@Suite struct TokenBucketTests {
    private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test func allowsABurstThenTheRate() {
        var bucket = TokenBucket(rate: 10, now: start)
        let burst = (0..<15).filter { _ in bucket.take(at: start) }.count
        #expect(burst == 10)
        // A tenth of a second later one more token has come back, not two.
        #expect(evaluated(bucket.take(at: start + .milliseconds(100))))
        #expect(!evaluated(bucket.take(at: start + .milliseconds(100))))
        // After a quiet second the bucket is full again, and no fuller than its burst.
        #expect(evaluated(bucket.isFull(at: start + .seconds(5))))
        let later = (0..<15).filter { _ in bucket.take(at: start + .seconds(5)) }.count
        #expect(later == 10)
    }

    @Test func aClockGoingBackwardsGivesNothing() {
        var bucket = TokenBucket(rate: 1, burst: 1, now: start)
        #expect(evaluated(bucket.take(at: start)))
        #expect(!evaluated(bucket.take(at: start - .seconds(10))))
    }
}
