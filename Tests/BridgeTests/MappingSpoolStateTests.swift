import Testing

@testable import Bridge

/// The routing rules of the spool, driven with an injected time and no I/O.
struct MappingSpoolStateTests {
    private typealias State = MappingSpoolState<String>
    private let limits = SpoolLimits(maximumRecords: 3, maximumBytes: 1_000)
    private let start = ContinuousClock.now

    @Test func anAsyncMappingSpoolsEverythingAndRefusesWhenFull() {
        var state = State(policy: .async, limits: limits)
        #expect(state.route(sequence: 1, size: 10, payload: "a", now: start) == .spool)
        #expect(state.route(sequence: 2, size: 10, payload: "b", now: start) == .spool)
        #expect(state.route(sequence: 3, size: 10, payload: "c", now: start) == .spool)
        #expect(state.route(sequence: 4, size: 10, payload: "d", now: start) == .full)
        #expect(state.mayDrain)
        // Replaying never switches an async mapping to direct sends.
        #expect(state.replayed(records: 3, bytes: 30) == false)
        #expect(state.spooledRecords == 0)
        #expect(state.route(sequence: 5, size: 10, payload: "e", now: start) == .spool)
    }

    @Test func theByteLimitCountsToo() {
        var state = State(policy: .async, limits: SpoolLimits(maximumRecords: 100, maximumBytes: 25))
        #expect(state.route(sequence: 1, size: 20, payload: "a", now: start) == .spool)
        #expect(state.route(sequence: 2, size: 20, payload: "b", now: start) == .full)
        #expect(state.route(sequence: 3, size: 5, payload: "c", now: start) == .spool)
    }

    @Test func aSyncMappingSendsDirectlyWhileKafkaAnswers() {
        var state = State(policy: .syncSpool, limits: limits)
        #expect(state.route(sequence: 1, size: 10, payload: "a", now: start) == .direct)
        #expect(state.pendingDirectCount == 1)
        #expect(state.checkAvailability(now: start + .seconds(1), unavailableAfter: .seconds(5)).isEmpty)
        #expect(state.directAnswered(sequence: 1, acknowledged: true) == .answerPublisher)
        #expect(state.pendingDirectCount == 0)
        #expect(!state.spooling)
        #expect(!state.mayDrain)
    }

    @Test func kafkaSilentTooLongShadowsTheWaitingRecordsAndSpoolsNewOnes() {
        var state = State(policy: .syncSpool, limits: limits)
        _ = state.route(sequence: 1, size: 10, payload: "a", now: start)
        _ = state.route(sequence: 2, size: 10, payload: "b", now: start + .seconds(1))
        let shadows = state.checkAvailability(now: start + .seconds(5), unavailableAfter: .seconds(5))
        #expect(shadows.map(\.sequence) == [1, 2])
        #expect(shadows.map(\.payload) == ["a", "b"])
        #expect(state.spooling)
        #expect(state.spooledRecords == 2)
        // A second check finds nothing new to shadow.
        #expect(state.checkAvailability(now: start + .seconds(6), unavailableAfter: .seconds(5)).isEmpty)
        // New records go to the spool, behind the shadows.
        #expect(state.route(sequence: 3, size: 10, payload: "c", now: start + .seconds(6)) == .spool)
        // The originals are still with the producer: no drain yet, or a replay could overtake them.
        #expect(!state.mayDrain)
        // Kafka takes the first original: its shadow goes; the publisher was answered already.
        #expect(state.directAnswered(sequence: 1, acknowledged: true) == .deleteShadow)
        #expect(state.spooledRecords == 2)
        // Kafka refuses the second for good: the shadow stays for the replay to decide.
        #expect(state.directAnswered(sequence: 2, acknowledged: false) == .keepShadow)
        #expect(state.mayDrain)
        #expect(state.replayed(records: 1, bytes: 10) == false)
        // The last replayed record empties the spool: back to direct sends.
        #expect(state.replayed(records: 1, bytes: 10) == true)
        #expect(!state.spooling)
        #expect(state.route(sequence: 4, size: 10, payload: "d", now: start + .seconds(7)) == .direct)
    }

    @Test func shadowsThatDoNotFitKeepWaitingForKafka() {
        var state = State(policy: .syncSpool, limits: SpoolLimits(maximumRecords: 1, maximumBytes: 1_000))
        _ = state.route(sequence: 1, size: 10, payload: "a", now: start)
        _ = state.route(sequence: 2, size: 10, payload: "b", now: start)
        let shadows = state.checkAvailability(now: start + .seconds(5), unavailableAfter: .seconds(5))
        #expect(shadows.map(\.sequence) == [1])
        // The unshadowed one is answered by Kafka itself.
        #expect(state.directAnswered(sequence: 2, acknowledged: true) == .answerPublisher)
        #expect(state.route(sequence: 3, size: 10, payload: "c", now: start + .seconds(5)) == .full)
    }

    @Test func aRejectingMappingNeverSpools() {
        var state = State(policy: .syncReject, limits: limits)
        #expect(state.route(sequence: 1, size: 10, payload: "a", now: start) == .direct)
        #expect(state.pendingDirectCount == 0)
        #expect(state.checkAvailability(now: start + .seconds(60), unavailableAfter: .seconds(5)).isEmpty)
        #expect(!state.spooling)
    }

    @Test func recordsLeftFromBeforeARestartDrainBeforeAnythingNewIsSentDirectly() {
        var state = State(policy: .syncSpool, limits: limits)
        state.restore(records: 2, bytes: 20)
        #expect(state.spooling)
        #expect(state.mayDrain)
        #expect(state.route(sequence: 10, size: 10, payload: "new", now: start) == .spool)
        #expect(state.replayed(records: 3, bytes: 30) == true)
        #expect(state.route(sequence: 11, size: 10, payload: "next", now: start) == .direct)
    }
}

extension MappingSpoolStateTests {
    @Test func nineTenthsOfABoundIsPressure() {
        var state = MappingSpoolState<String>(
            policy: .async,
            limits: SpoolLimits(maximumRecords: 10, maximumBytes: 1_000)
        )
        for sequence in 1...8 { _ = state.route(sequence: Int64(sequence), size: 1, payload: "", now: .now) }
        #expect(!state.isNearlyFull)
        _ = state.route(sequence: 9, size: 1, payload: "", now: .now)
        #expect(state.isNearlyFull)
        _ = state.replayed(records: 1, bytes: 1)
        #expect(!state.isNearlyFull)
        var bytes = MappingSpoolState<String>(
            policy: .async,
            limits: SpoolLimits(maximumRecords: 100, maximumBytes: 100)
        )
        _ = bytes.route(sequence: 1, size: 90, payload: "", now: .now)
        #expect(bytes.isNearlyFull)
    }
}
