import KafkaClient
import Testing

@testable import Bridge

/// `#expect` cannot expand a mutating call; this evaluates it first.
private func evaluated<T>(_ value: T) -> T { value }

@Suite struct KafkaToMQTTOffsetTrackerTests {
    private let p0 = TopicPartition(topic: "t", partition: 0)
    private let p1 = TopicPartition(topic: "t", partition: 1)

    @Test func outOfOrderCompletionsCommitOnlyTheCompletePrefix() {
        var tracker = KafkaToMQTTOffsetTracker()
        let tickets = (10...14).map { tracker.begin(p0, offset: Int64($0)) }
        #expect(tracker.inFlight == 5)
        #expect(tracker.committable(p0) == nil)

        tracker.complete(tickets[2])  // 12
        tracker.complete(tickets[4])  // 14
        #expect(tracker.committable(p0) == nil)
        #expect(evaluated(tracker.takeCommits()) == [:])

        tracker.complete(tickets[0])  // 10
        #expect(tracker.committable(p0) == 11)
        tracker.complete(tickets[1])  // 11 → 12 and 13? 13 is still open
        #expect(tracker.committable(p0) == 13)
        #expect(evaluated(tracker.takeCommits()) == [p0: 13])
        #expect(evaluated(tracker.takeCommits()) == [:])  // nothing new

        tracker.complete(tickets[3])  // 13 → everything
        #expect(tracker.committable(p0) == 15)
        #expect(tracker.inFlight == 0)
        #expect(evaluated(tracker.takeCommits()) == [p0: 15])
    }

    @Test func gapsInOffsetsHoldNothingBack() {
        var tracker = KafkaToMQTTOffsetTracker()
        let a = tracker.begin(p0, offset: 3)
        let b = tracker.begin(p0, offset: 7)  // 4–6 compacted away
        tracker.complete(b)
        tracker.complete(a)
        #expect(tracker.committable(p0) == 8)
    }

    @Test func partitionsAreIndependent() {
        var tracker = KafkaToMQTTOffsetTracker()
        let a = tracker.begin(p0, offset: 0)
        let b = tracker.begin(p1, offset: 0)
        _ = tracker.begin(p1, offset: 1)
        tracker.complete(b)
        #expect(evaluated(tracker.takeCommits()) == [p1: 1])
        tracker.complete(a)
        #expect(evaluated(tracker.takeCommits()) == [p0: 1])
        #expect(tracker.inFlight(in: [p1]) == 1)
        #expect(tracker.inFlight(in: [p0]) == 0)
    }

    @Test func aCompletionTwiceCountsOnce() {
        var tracker = KafkaToMQTTOffsetTracker()
        let a = tracker.begin(p0, offset: 0)
        _ = tracker.begin(p0, offset: 1)
        #expect(evaluated(tracker.complete(a)))
        #expect(!evaluated(tracker.complete(a)))
        #expect(tracker.inFlight == 1)
    }

    @Test func aFailedCommitIsOfferedAgain() {
        var tracker = KafkaToMQTTOffsetTracker()
        tracker.complete(tracker.begin(p0, offset: 0))
        let first = tracker.takeCommits()
        #expect(first == [p0: 1])
        tracker.commitFailed(first)
        #expect(tracker.hasCommits)
        #expect(evaluated(tracker.takeCommits()) == [p0: 1])
    }

    @Test func revocationReturnsWhatCompletedAndDropsTheRest() {
        var tracker = KafkaToMQTTOffsetTracker()
        let a = tracker.begin(p0, offset: 0)
        let b = tracker.begin(p0, offset: 1)
        let c = tracker.begin(p0, offset: 2)
        let other = tracker.begin(p1, offset: 5)
        tracker.complete(a)
        tracker.complete(c)
        #expect(evaluated(tracker.revoke([p0])) == [p0: 1])
        #expect(tracker.inFlight == 1)  // p1's record only
        #expect(tracker.committable(p0) == nil)

        // A late completion of a revoked record changes nothing, even once p0 is back.
        let again = tracker.begin(p0, offset: 1)
        #expect(!evaluated(tracker.complete(b)))
        #expect(tracker.committable(p0) == nil)
        tracker.complete(again)
        #expect(tracker.committable(p0) == 2)
        tracker.complete(other)
        #expect(tracker.inFlight == 0)
    }

    @Test func revokingEverythingIgnoresLateCompletions() {
        var tracker = KafkaToMQTTOffsetTracker()
        let a = tracker.begin(p0, offset: 0)
        let b = tracker.begin(p1, offset: 0)
        tracker.complete(b)
        #expect(evaluated(tracker.revokeAll()) == [p1: 1])
        #expect(tracker.inFlight == 0)
        let fresh = tracker.begin(p0, offset: 0)
        #expect(fresh.epoch != a.epoch)
        #expect(!evaluated(tracker.complete(a)))
        #expect(tracker.inFlight == 1)
    }

    @Test func revocationAfterACommitReturnsNothingNew() {
        var tracker = KafkaToMQTTOffsetTracker()
        tracker.complete(tracker.begin(p0, offset: 0))
        #expect(evaluated(tracker.takeCommits()) == [p0: 1])
        #expect(evaluated(tracker.revoke([p0])) == [:])
    }

    @Test func readingAgainFromAnEarlierOffsetStartsOver() {
        var tracker = KafkaToMQTTOffsetTracker()
        _ = tracker.begin(p0, offset: 10)
        _ = tracker.begin(p0, offset: 11)
        // The partition came back and reading restarts at the committed offset 10.
        let again = tracker.begin(p0, offset: 10)
        #expect(tracker.inFlight == 1)
        tracker.complete(again)
        #expect(tracker.committable(p0) == 11)
    }

    @Test func manyRecordsCompactWithoutLosingOrder() {
        var tracker = KafkaToMQTTOffsetTracker()
        let tickets = (0..<5_000).map { tracker.begin(p0, offset: Int64($0)) }
        // Complete every even one, then the odd ones in reverse.
        for ticket in tickets where ticket.offset % 2 == 0 { tracker.complete(ticket) }
        #expect(tracker.committable(p0) == 1)
        for ticket in tickets.reversed() where ticket.offset % 2 == 1 && ticket.offset > 2_000 {
            tracker.complete(ticket)
        }
        #expect(tracker.committable(p0) == 1)
        for ticket in tickets where ticket.offset % 2 == 1 && ticket.offset <= 2_000 { tracker.complete(ticket) }
        #expect(tracker.committable(p0) == 5_000)
        #expect(tracker.inFlight == 0)
    }
}
