import Atomics
import Foundation
import KafkaClient
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import Store

/// One mapping's durable spool: routes its records (straight to Kafka or into the spool, as
/// `MappingSpoolState` decides), writes spool rows with the store's group commit, acknowledges
/// publishers once their row is on disk, and drains the spool to Kafka in sequence order.
final class MappingSpool: Sendable {
    typealias Completion = @Sendable (Result<Void, BridgeFailure>) -> Void

    /// A record sent straight to Kafka, kept until Kafka answers so it can get a shadow.
    struct DirectRecord: Sendable {
        var record: KafkaProducerMessage
        var completion: Completion?
    }

    /// What `accept` did with a record.
    enum Acceptance {
        /// Send it to Kafka and pass the answer to `directAnswered`.
        case direct(sequence: Int64)
        /// It is in the spool; the completion runs when the row is on disk.
        case spooled
        /// The spool is full.
        case full
    }

    /// Counters for `$SYS` and the log.
    struct Statistics: Sendable {
        var spooledRecords: Int
        var spooledBytes: Int
        /// Age of the oldest record still in the spool, seconds; 0 when empty.
        var oldestAgeSeconds: Double
        /// Records written to the spool since start (shadows included).
        var spooled: Int
        /// Spooled records Kafka acknowledged on replay.
        var replayed: Int
        /// Replayed records per second since the previous reading.
        var drainRate: Double
        /// Replayed records Kafka refused for good, sent to the dead letters.
        var deadLettered: Int
        var kafkaAvailable: Bool
        var availabilityChanges: Int
    }

    private struct Locked {
        var state: MappingSpoolState<DirectRecord>
        /// The last spool write submitted; the drain reads only once it committed.
        var lastTicket = StoreTicket.none
        /// Timestamp (Unix ms) of the oldest record still spooled, as far as the drain knows.
        var oldestTimestamp: Int64?
        var kafkaAvailable = true
        var availabilityChanges = 0
        /// Replayed records sent and not answered, and when the drain last made progress: a
        /// drain that waits `unavailableAfter` without an answer means Kafka is unavailable.
        var replaysOutstanding = 0
        var lastReplayProgress = ContinuousClock.now
        /// The replayed count at the previous reading of the statistics, for the drain rate.
        var rateSample: (replayed: Int, at: ContinuousClock.Instant)?
    }

    let mapping: String
    private let store: DurableStore
    private let dispatcher: ProducerDispatcher
    private let deadLetters: DeadLetterSink
    private let unavailableAfter: Duration
    private let logger: Logger
    private let locked: NIOLockedValueBox<Locked>
    /// Orders spooled records across mappings and restarts; shared by every mapping's spool.
    private let sequences: ManagedAtomic<Int64>
    private let spooledTotal = ManagedAtomic<Int>(0)
    /// `MappingSpoolState.isNearlyFull`, readable without the lock on every publish.
    private let pressure = ManagedAtomic<Bool>(false)
    private let replayedTotal = ManagedAtomic<Int>(0)
    private let deadLetteredTotal = ManagedAtomic<Int>(0)
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    /// Replayed records sent and not answered yet, at most.
    private let drainWindow = 5_000
    private let readBatch = 1_000

    init(
        mapping: String,
        policy: SpoolPolicy,
        limits: SpoolLimits,
        unavailableAfter: Duration,
        recovered: SpoolSummary?,
        sequences: ManagedAtomic<Int64>,
        store: DurableStore,
        dispatcher: ProducerDispatcher,
        deadLetters: DeadLetterSink,
        logger: Logger
    ) {
        var state = MappingSpoolState<DirectRecord>(policy: policy, limits: limits)
        var locked = Locked(state: state)
        if let recovered, recovered.records > 0 {
            state.restore(records: recovered.records, bytes: recovered.bytes)
            locked.state = state
            locked.oldestTimestamp = recovered.oldestTimestamp
            pressure.store(state.isNearlyFull, ordering: .relaxed)
            logger.notice(
                "spool holds records from before the restart; they go to Kafka before new ones",
                metadata: ["mapping": "\(mapping)", "records": "\(recovered.records)", "bytes": "\(recovered.bytes)"]
            )
        }
        self.mapping = mapping
        self.sequences = sequences
        self.store = store
        self.dispatcher = dispatcher
        self.deadLetters = deadLetters
        self.unavailableAfter = unavailableAfter
        self.logger = logger
        self.locked = NIOLockedValueBox(locked)
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Accepting records

    /// Routes a new record. `.spooled` records are answered through `completion` once on disk;
    /// `.direct` ones carry the sequence to give `directAnswered`.
    func accept(_ record: KafkaProducerMessage, completion: Completion?) -> Acceptance {
        let size = record.spoolSize
        let now = ContinuousClock.now
        let (route, ticket, sequence): (MappingSpoolState<DirectRecord>.Route, StoreTicket?, Int64) =
            locked.withLockedValue { locked in
                // Taken under the lock with the write below: this mapping's rows reach the store in
                // sequence order, so a drain that saw a row has seen every earlier one.
                let sequence = sequences.loadThenWrappingIncrement(ordering: .relaxed)
                let route = locked.state.route(
                    sequence: sequence,
                    size: size,
                    payload: DirectRecord(record: record, completion: completion),
                    now: now
                )
                guard route == .spool else { return (route, nil, sequence) }
                let ticket = store.submit(.insertSpooled(SpooledRecord(record, sequence: sequence, mapping: mapping)))
                locked.lastTicket = ticket
                if locked.oldestTimestamp == nil { locked.oldestTimestamp = record.timestamp }
                pressure.store(locked.state.isNearlyFull, ordering: .relaxed)
                return (route, ticket, sequence)
            }
        switch route {
        case .direct:
            return .direct(sequence: sequence)
        case .full:
            return .full
        case .spool:
            spooledTotal.wrappingIncrement(ordering: .relaxed)
            whenOnDisk(ticket!, size: size, completion: completion)
            return .spooled
        }
    }

    /// Kafka answered a record `accept` sent straight to it. Returns whether the publisher still
    /// waits for this answer (it does not when the record got a shadow meanwhile).
    func directAnswered(sequence: Int64, acknowledged: Bool) -> Bool {
        let (answer, wake) = locked.withLockedValue { locked in
            let answer = locked.state.directAnswered(sequence: sequence, acknowledged: acknowledged)
            if answer == .deleteShadow {
                locked.lastTicket = store.submit(.deleteSpooled(sequence: sequence))
                pressure.store(locked.state.isNearlyFull, ordering: .relaxed)
            }
            if acknowledged { markAvailable(&locked) }
            return (answer, locked.state.mayDrain)
        }
        if wake { wakeContinuation.yield() }
        return answer == .answerPublisher
    }

    /// Kafka failed a record `accept` sent straight to it with an error that may pass. Returns
    /// whether the publisher still waits for this answer; it does not when the record went to
    /// the spool now (answered once on disk) or had a shadow already.
    func directFailedRetriably(sequence: Int64) -> Bool {
        let (answer, ticket, wake): (MappingSpoolState<DirectRecord>.RetriableFailureAnswer, StoreTicket, Bool) =
            locked.withLockedValue { locked in
                let answer = locked.state.directFailedRetriably(sequence: sequence)
                guard case .spool(let shadow) = answer else { return (answer, .none, locked.state.mayDrain) }
                if locked.kafkaAvailable {
                    logger.warning(
                        "Kafka failed a record it may take later: the mapping falls back to the spool",
                        metadata: ["mapping": "\(mapping)"]
                    )
                }
                markUnavailable(&locked)
                locked.lastTicket = store.submit(
                    .insertSpooled(SpooledRecord(shadow.payload.record, sequence: sequence, mapping: mapping))
                )
                pressure.store(locked.state.isNearlyFull, ordering: .relaxed)
                if locked.oldestTimestamp == nil { locked.oldestTimestamp = shadow.payload.record.timestamp }
                return (answer, locked.lastTicket, locked.state.mayDrain)
            }
        // The last original answered: the drain may start (the commit wakes it again).
        if wake { wakeContinuation.yield() }
        switch answer {
        case .answerPublisher:
            return true
        case .keepShadow:
            return false
        case .spool(let shadow):
            spooledTotal.wrappingIncrement(ordering: .relaxed)
            whenOnDisk(ticket, size: shadow.size, completion: shadow.payload.completion)
            return false
        }
    }

    /// Checks whether Kafka left a record unanswered for `unavailableAfter`; if so the mapping
    /// falls back to the spool and the waiting publishers are acknowledged once their shadows
    /// are on disk. Called periodically by the bridge.
    func checkAvailability() {
        let now = ContinuousClock.now
        let (shadows, ticket): ([MappingSpoolState<DirectRecord>.Shadow], StoreTicket) = locked.withLockedValue {
            locked in
            if locked.replaysOutstanding > 0, now - locked.lastReplayProgress >= unavailableAfter,
                locked.kafkaAvailable
            {
                logger.warning(
                    "Kafka has not acknowledged replayed records in time; the spool keeps them",
                    metadata: ["mapping": "\(mapping)", "waiting": "\(locked.replaysOutstanding)"]
                )
                markUnavailable(&locked)
            }
            let wasSpooling = locked.state.spooling
            let shadows = locked.state.checkAvailability(now: now, unavailableAfter: unavailableAfter)
            if shadows.isEmpty, locked.state.mayDrain {
                // A safety net: whatever made the spool drainable, the drain hears of it here.
                wakeContinuation.yield()
            }
            guard !shadows.isEmpty else { return ([], .none) }
            if !wasSpooling {
                logger.warning(
                    "Kafka has not acknowledged records in time: the mapping falls back to the spool",
                    metadata: [
                        "mapping": "\(mapping)", "waiting": "\(locked.state.pendingDirectCount)",
                        "after_ms": "\(unavailableAfter.components.seconds * 1_000)",
                    ]
                )
            }
            markUnavailable(&locked)
            let operations = shadows.map {
                StoreOperation.insertSpooled(SpooledRecord($0.payload.record, sequence: $0.sequence, mapping: mapping))
            }
            locked.lastTicket = store.submit(operations)
            pressure.store(locked.state.isNearlyFull, ordering: .relaxed)
            if locked.oldestTimestamp == nil { locked.oldestTimestamp = shadows.first?.payload.record.timestamp }
            return (shadows, locked.lastTicket)
        }
        guard !shadows.isEmpty else { return }
        spooledTotal.wrappingIncrement(by: shadows.count, ordering: .relaxed)
        store.whenCommitted(ticket) { result in
            for shadow in shadows {
                shadow.payload.completion?(Self.publisherResult(result, mapping: self.mapping))
            }
        }
    }

    private func whenOnDisk(_ ticket: StoreTicket, size: Int, completion: Completion?) {
        store.whenCommitted(ticket) { [self] result in
            if case .failure = result {
                locked.withLockedValue { locked in
                    locked.state.spoolWriteFailed(size: size)
                    pressure.store(locked.state.isNearlyFull, ordering: .relaxed)
                }
            } else {
                wakeContinuation.yield()
            }
            completion?(Self.publisherResult(result, mapping: mapping))
        }
    }

    private static func publisherResult(
        _ result: Result<Void, StoreError>,
        mapping: String
    ) -> Result<Void, BridgeFailure> {
        result.mapError { error in
            BridgeFailure(reasonCode: .unspecifiedError, mapping: mapping, detail: "spool write failed: \(error)")
        }
    }

    private func markAvailable(_ locked: inout Locked) {
        guard !locked.kafkaAvailable else { return }
        locked.kafkaAvailable = true
        locked.availabilityChanges += 1
        logger.notice("Kafka acknowledges records again", metadata: ["mapping": "\(mapping)"])
    }

    private func markUnavailable(_ locked: inout Locked) {
        guard locked.kafkaAvailable else { return }
        locked.kafkaAvailable = false
        locked.availabilityChanges += 1
    }

    // MARK: Draining

    /// Replays the spool to Kafka in sequence order until `finish()`.
    ///
    /// Rows are read only after every spool write submitted so far committed, in batches after
    /// the last sequence sent, and sent through the mapping's ordered sender. A row leaves the
    /// spool when Kafka acknowledged it (or it was dead-lettered); after a retriable failure the
    /// drain waits for its sends to finish and starts again from the first row still there.
    func drain() async {
        var cursor: Int64 = 0
        let rewind = ManagedAtomic<Bool>(false)
        var wake = wakeStream.makeAsyncIterator()
        while true {
            let (mayDrain, ticket, outstanding) = locked.withLockedValue {
                ($0.state.mayDrain, $0.lastTicket, $0.replaysOutstanding)
            }
            if rewind.load(ordering: .relaxed), outstanding == 0 {
                rewind.store(false, ordering: .relaxed)
                cursor = 0
                try? await Task.sleep(for: .seconds(1))  // back off before trying Kafka again
                continue
            }
            guard mayDrain, !rewind.load(ordering: .relaxed), outstanding < drainWindow else {
                guard await wake.next() != nil else { return }
                continue
            }
            guard (try? await store.committed(ticket).get()) != nil else { return }
            let rows: [SpooledRecord]
            do {
                rows = try await store.spooledRecords(of: mapping, after: cursor, limit: readBatch)
            } catch {
                logger.error("cannot read the spool", metadata: ["mapping": "\(mapping)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            guard let last = rows.last else {
                // Everything spooled is on its way; the answers wake the loop.
                guard await wake.next() != nil else { return }
                continue
            }
            cursor = last.sequence
            locked.withLockedValue { $0.oldestTimestamp = rows[0].timestamp }
            for row in rows {
                locked.withLockedValue { locked in
                    if locked.replaysOutstanding == 0 { locked.lastReplayProgress = .now }
                    locked.replaysOutstanding += 1
                }
                let size = row.size
                let sequence = row.sequence
                let item = ProducerDispatcher.Item(record: row.kafkaRecord) { [self] result in
                    switch result {
                    case .success:
                        replayedTotal.wrappingIncrement(ordering: .relaxed)
                        leave(sequence: sequence, size: size)
                    case .failure(let error) where error.isRetriable || error.code == .shutDown:
                        rewind.store(true, ordering: .relaxed)
                    case .failure(let error):
                        deadLetteredTotal.wrappingIncrement(ordering: .relaxed)
                        // Outstanding until the dead letter is kept: a rewind meanwhile must not
                        // read the row again and send it twice.
                        deadLetters.deadLetter(row.kafkaRecord, reason: "\(error)") { [self] in
                            leave(sequence: sequence, size: size)
                            replayAnswered()
                        }
                        return
                    }
                    replayAnswered()
                }
                while !dispatcher.submit(item) {
                    // The sender's queue is full of direct traffic; it empties quickly.
                    try? await Task.sleep(for: .milliseconds(10))
                    if Task.isCancelled { return }
                }
            }
        }
    }

    /// One replayed record was answered (and, if refused, dead-lettered).
    private func replayAnswered() {
        locked.withLockedValue { locked in
            locked.replaysOutstanding -= 1
            locked.lastReplayProgress = .now
        }
        wakeContinuation.yield()
    }

    /// A replayed row is done: out of the spool.
    private func leave(sequence: Int64, size: Int) {
        let backToDirect = locked.withLockedValue { locked in
            locked.lastTicket = store.submit(.deleteSpooled(sequence: sequence))
            markAvailable(&locked)
            let backToDirect = locked.state.replayed(records: 1, bytes: size)
            pressure.store(locked.state.isNearlyFull, ordering: .relaxed)
            if locked.state.spooledRecords == 0 { locked.oldestTimestamp = nil }
            return backToDirect
        }
        if backToDirect {
            logger.notice("spool drained: records go straight to Kafka again", metadata: ["mapping": "\(mapping)"])
        }
    }

    /// The spool is nearly full: publishers should wait before it has to refuse records.
    var isUnderPressure: Bool { pressure.load(ordering: .relaxed) }

    /// Ends `drain()`.
    func finish() {
        wakeContinuation.finish()
    }

    /// Reading it starts a new period for `drainRate`.
    var statistics: Statistics {
        let now = Date().timeIntervalSince1970 * 1_000
        let instant = ContinuousClock.now
        let replayed = replayedTotal.load(ordering: .relaxed)
        return locked.withLockedValue { locked in
            var rate = 0.0
            if let sample = locked.rateSample {
                let elapsed = instant - sample.at
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                if seconds > 0 { rate = Double(replayed - sample.replayed) / seconds }
            }
            locked.rateSample = (replayed, instant)
            return Statistics(
                spooledRecords: locked.state.spooledRecords,
                spooledBytes: locked.state.spooledBytes,
                oldestAgeSeconds: locked.oldestTimestamp.map { max(0, (now - Double($0)) / 1_000) } ?? 0,
                spooled: spooledTotal.load(ordering: .relaxed),
                replayed: replayed,
                drainRate: rate,
                deadLettered: deadLetteredTotal.load(ordering: .relaxed),
                kafkaAvailable: locked.kafkaAvailable,
                availabilityChanges: locked.availabilityChanges
            )
        }
    }
}
