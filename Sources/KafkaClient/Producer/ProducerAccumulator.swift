import DequeModule
import KafkaProtocol
import NIOCore

/// The producer's bookkeeping, free of I/O: records collected into per-partition batches
/// (batching by size and linger), which batches may be sent now, idempotence sequence numbers,
/// and what happens to a batch when its answer comes back.
///
/// Ordering rules (KIP-98, and the Java client's `RecordAccumulator`/`TransactionManager`):
/// - up to ``Settings/maxInFlightPerPartition`` batches of a partition are in flight; their
///   sequence numbers are assigned in drain order, so the broker sees them in order;
/// - a batch that comes back retriable is put back in sequence order, and a partition whose
///   next batch is a retry sends it only when nothing of that partition is in flight — so the
///   broker never sees a gap, and a batch it already has is answered as a duplicate;
/// - a batch that fails for good leaves a gap in the sequence, so the producer must bump its
///   epoch (``needsProducerID``) before it sends more; sequences restart at 0.
struct ProducerAccumulator: Sendable {
    struct Settings: Sendable {
        var batchSize: Int
        var linger: Duration
        var compression: CompressionCodec
        var maxInFlightPerPartition: Int
        var idempotent: Bool
        var deliveryTimeout: Duration
    }

    /// What the broker's answer means for one batch.
    enum Outcome: Sendable, Equatable {
        case delivered(baseOffset: Int64)
        case retry(KafkaError)
        case failed(KafkaError)
    }

    /// Records whose fate is decided.
    struct Completion: Sendable {
        var topicPartition: TopicPartition
        var messageIDs: [UInt64]
        /// The base offset (-1 when unknown: acks=0, or a duplicate the broker already had).
        var result: Result<Int64, KafkaError>
    }

    /// What ``drain(now:hasLeader:)`` hands out.
    struct Drained: Sendable {
        var batches: [ProducerBatch] = []
        /// Batches that waited longer than the delivery timeout.
        var expired: [Completion] = []
        /// Partitions with a ready batch but no known leader connection.
        var withoutLeader: [TopicPartition] = []
        /// When the earliest lingering batch becomes ready.
        var nextWake: ContinuousClock.Instant?
    }

    let settings: Settings
    private var queues: [TopicPartition: Deque<ProducerBatch>] = [:]
    private var inFlight: [TopicPartition: Int] = [:]
    private var nextSequence: [TopicPartition: Int32] = [:]
    private var sticky: [String: Int32] = [:]
    private(set) var producerID: Int64 = -1
    private(set) var producerEpoch: Int16 = -1
    /// True until a producer id is set, and again after a batch left a sequence gap.
    private(set) var needsProducerID: Bool
    /// Buffer memory held by records not yet completed.
    private(set) var bufferedBytes = 0
    /// Records appended and not yet completed.
    private(set) var pendingRecords = 0
    /// Batches sent and not yet answered.
    private(set) var batchesInFlight = 0
    /// While true, lingering batches are ready at once (flush, shutdown).
    var isFlushing = false

    init(settings: Settings) {
        self.settings = settings
        self.needsProducerID = settings.idempotent
    }

    /// Whether any record is queued or in flight.
    var isEmpty: Bool { self.pendingRecords == 0 }

    // MARK: Appending

    /// The partition for a keyless record without an explicit partition: the topic's sticky
    /// partition, which moves on when its batch fills or is sent (KIP-480).
    mutating func stickyPartition(topic: String, partitionCount: Int32) -> Int32 {
        if let current = self.sticky[topic], current < partitionCount { return current }
        let chosen = Int32.random(in: 0..<partitionCount)
        self.sticky[topic] = chosen
        return chosen
    }

    private mutating func moveSticky(topic: String, from partition: Int32) {
        guard self.sticky[topic] == partition else { return }
        self.sticky[topic] = nil
    }

    /// The buffer memory a record is charged: its bytes plus a fixed overhead.
    static func size(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader]) -> Int {
        var size = 24 + (key?.readableBytes ?? 0) + (value?.readableBytes ?? 0)
        for header in headers { size += 8 + header.key.utf8.count + (header.value?.readableBytes ?? 0) }
        return size
    }

    /// Appends a record to the partition's open batch (a new batch when it would overflow).
    /// Returns true when a batch became ready to send (full), so the sender should look.
    mutating func append(
        id: UInt64,
        to topicPartition: TopicPartition,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader],
        timestamp: Int64,
        isSticky: Bool,
        now: ContinuousClock.Instant
    ) throws -> (newBatch: Bool, batchFull: Bool) {
        let size = Self.size(key: key, value: value, headers: headers)
        let (newBatch, full) = try Self.append(
            to: &self.queues[topicPartition, default: []],
            topicPartition: topicPartition,
            settings: self.settings,
            size: size,
            id: id,
            key: key,
            value: value,
            headers: headers,
            timestamp: timestamp,
            now: now
        )
        self.bufferedBytes += size
        self.pendingRecords += 1
        if full && isSticky { self.moveSticky(topic: topicPartition.topic, from: topicPartition.partition) }
        return (newBatch, full)
    }

    /// Appends to the open (last) batch of `queue` in place, or opens a new one. The last batch
    /// is moved out and back rather than read through the subscript, which would copy it.
    private static func append(
        to queue: inout Deque<ProducerBatch>,
        topicPartition: TopicPartition,
        settings: Settings,
        size: Int,
        id: UInt64,
        key: ByteBuffer?,
        value: ByteBuffer?,
        headers: [RecordHeader],
        timestamp: Int64,
        now: ContinuousClock.Instant
    ) throws -> (newBatch: Bool, batchFull: Bool) {
        var batch: ProducerBatch
        var newBatch = false
        if let last = queue.popLast() {
            if last.attempts > 0 || last.baseSequence != nil || last.builder.sizeInBytes + size > settings.batchSize {
                queue.append(consume last)
                batch = ProducerBatch(topicPartition: topicPartition, compression: settings.compression, createdAt: now)
                newBatch = true
            } else {
                batch = consume last
            }
        } else {
            batch = ProducerBatch(topicPartition: topicPartition, compression: settings.compression, createdAt: now)
            newBatch = true
        }
        do {
            try batch.builder.append(key: key, value: value, headers: headers, timestamp: timestamp)
        } catch {
            if !batch.messageIDs.isEmpty { queue.append(batch) }
            throw error
        }
        batch.messageIDs.append(id)
        batch.bufferedBytes += size
        let full = batch.builder.sizeInBytes >= settings.batchSize
        queue.append(consume batch)
        return (newBatch, full)
    }

    // MARK: Draining

    /// Takes the batches that may be sent now. `hasLeader` says whether a partition's leader is
    /// known and connected.
    mutating func drain(now: ContinuousClock.Instant, hasLeader: (TopicPartition) -> Bool) -> Drained {
        var drained = Drained()
        guard !(self.settings.idempotent && self.needsProducerID) else { return drained }
        for topicPartition in Array(self.queues.keys) {
            guard var queue = self.queues.removeValue(forKey: topicPartition) else { continue }
            while let head = queue.first {
                let inFlight = self.inFlight[topicPartition] ?? 0
                if inFlight == 0, now >= head.createdAt + self.settings.deliveryTimeout {
                    let batch = queue.removeFirst()
                    drained.expired.append(self.fail(batch, KafkaError.deliveryTimedOut(batch)))
                    continue
                }
                let full = queue.count > 1 || head.builder.sizeInBytes >= self.settings.batchSize
                let lingered = now >= head.createdAt + self.settings.linger
                guard full || lingered || self.isFlushing || head.attempts > 0 else {
                    let wake = head.createdAt + self.settings.linger
                    drained.nextWake = min(drained.nextWake ?? wake, wake)
                    break
                }
                guard inFlight < self.settings.maxInFlightPerPartition, head.attempts == 0 || inFlight == 0 else {
                    break
                }
                guard hasLeader(topicPartition) else {
                    drained.withoutLeader.append(topicPartition)
                    break
                }
                var batch = queue.removeFirst()
                if self.settings.idempotent, batch.baseSequence == nil {
                    let sequence = self.nextSequence[topicPartition] ?? 0
                    batch.baseSequence = sequence
                    batch.producerID = self.producerID
                    batch.producerEpoch = self.producerEpoch
                    // Sequence numbers wrap at Int32.max (KIP-98: "wraps around to 0").
                    self.nextSequence[topicPartition] = (sequence &+ batch.recordCount) & Int32.max
                    batch.encoded = nil
                }
                self.inFlight[topicPartition] = inFlight + 1
                self.batchesInFlight += 1
                self.moveSticky(topic: topicPartition.topic, from: topicPartition.partition)
                drained.batches.append(batch)
            }
            if !queue.isEmpty { self.queues[topicPartition] = queue }
        }
        return drained
    }

    // MARK: Answers

    /// What a partition's error code in a Produce answer means for `batch`.
    func outcome(for errorCode: KafkaErrorCode, baseOffset: Int64, batch: ProducerBatch) -> Outcome {
        switch errorCode {
        case .noError:
            return .delivered(baseOffset: baseOffset)
        case .duplicateSequenceNumber:
            // The broker already has this batch (an earlier attempt's answer was lost).
            return .delivered(baseOffset: -1)
        case .outOfOrderSequenceNumber:
            // Explained when a batch with a lower sequence is waiting to be resent: this one
            // overtook it and goes again after it.
            let waiting = self.queues[batch.topicPartition]?.contains {
                if let sequence = $0.baseSequence, let ours = batch.baseSequence { return sequence < ours }
                return false
            }
            if waiting == true {
                return .retry(KafkaError.broker(errorCode, "producing to \(batch.topicPartition)"))
            }
            return .failed(KafkaError.broker(errorCode, "producing to \(batch.topicPartition)"))
        default:
            let error = KafkaError.broker(errorCode, "producing to \(batch.topicPartition)")
            return errorCode.isRetriable ? .retry(error) : .failed(error)
        }
    }

    /// Takes a sent batch back with its outcome. Returns the completion for its records, or nil
    /// when the batch was queued again for a retry.
    mutating func complete(
        _ batch: ProducerBatch,
        outcome: Outcome,
        now: ContinuousClock.Instant
    ) -> Completion? {
        let topicPartition = batch.topicPartition
        self.inFlight[topicPartition] = max((self.inFlight[topicPartition] ?? 1) - 1, 0)
        if self.inFlight[topicPartition] == 0 { self.inFlight[topicPartition] = nil }
        self.batchesInFlight -= 1
        switch outcome {
        case .delivered(let baseOffset):
            self.release(batch)
            return Completion(
                topicPartition: topicPartition,
                messageIDs: batch.messageIDs,
                result: .success(baseOffset)
            )
        case .failed(let error):
            return self.fail(batch, error)
        case .retry(let error):
            guard now < batch.createdAt + self.settings.deliveryTimeout else {
                var timedOut = KafkaError.deliveryTimedOut(batch)
                timedOut.message += " (last error: \(error.message))"
                return self.fail(batch, timedOut)
            }
            var retry = batch
            retry.attempts += 1
            if retry.baseSequence != nil,
                retry.producerEpoch != self.producerEpoch || retry.producerID != self.producerID
            {
                // Sent under an epoch that was since bumped: it gets a new sequence.
                retry.baseSequence = nil
                retry.encoded = nil
            }
            var queue = self.queues[topicPartition] ?? []
            let index =
                queue.firstIndex {
                    guard let ours = retry.baseSequence else { return true }
                    guard let theirs = $0.baseSequence else { return true }
                    return theirs > ours
                } ?? queue.endIndex
            queue.insert(retry, at: index)
            self.queues[topicPartition] = queue
            return nil
        }
    }

    private mutating func fail(_ batch: ProducerBatch, _ error: KafkaError) -> Completion {
        self.release(batch)
        if self.settings.idempotent, batch.baseSequence != nil {
            // The broker will not see this sequence: later batches would be out of order.
            self.needsProducerID = true
        }
        return Completion(topicPartition: batch.topicPartition, messageIDs: batch.messageIDs, result: .failure(error))
    }

    private mutating func release(_ batch: ProducerBatch) {
        self.bufferedBytes -= batch.bufferedBytes
        self.pendingRecords -= batch.messageIDs.count
    }

    /// Starts a new producer id or epoch: sequence numbers restart at 0, and queued batches
    /// that had sequences under the old epoch get new ones when they are sent.
    mutating func setProducerID(_ producerID: Int64, epoch: Int16) {
        self.producerID = producerID
        self.producerEpoch = epoch
        self.needsProducerID = false
        self.nextSequence.removeAll()
        for topicPartition in Array(self.queues.keys) {
            guard var queue = self.queues[topicPartition] else { continue }
            for index in queue.indices where queue[index].baseSequence != nil {
                queue[index].baseSequence = nil
                queue[index].encoded = nil
            }
            self.queues[topicPartition] = queue
        }
    }

    /// Fails the queued batches whose delivery timeout has passed, keeping the rest (in order)
    /// for when the producer can send again: a producer without a producer id cannot send, but
    /// giving up younger records early would let records sent later overtake them.
    mutating func failExpired(now: ContinuousClock.Instant, _ error: KafkaError) -> [Completion] {
        var completions: [Completion] = []
        for topicPartition in Array(self.queues.keys) {
            guard var queue = self.queues[topicPartition] else { continue }
            // Batches are created in order, so the expired ones are a prefix of the queue.
            while let head = queue.first, now >= head.createdAt + self.settings.deliveryTimeout {
                let batch = queue.removeFirst()
                var timedOut = KafkaError.deliveryTimedOut(batch)
                timedOut.message += " (last error: \(error.message))"
                completions.append(self.fail(batch, timedOut))
            }
            self.queues[topicPartition] = queue.isEmpty ? nil : queue
        }
        return completions
    }

    /// Fails every queued (not in-flight) batch, for a producer that stops for good.
    mutating func failQueued(_ error: KafkaError) -> [Completion] {
        var completions: [Completion] = []
        for (_, queue) in self.queues {
            for batch in queue {
                self.release(batch)
                completions.append(
                    Completion(
                        topicPartition: batch.topicPartition,
                        messageIDs: batch.messageIDs,
                        result: .failure(error)
                    )
                )
            }
        }
        self.queues.removeAll()
        return completions
    }
}

extension KafkaError {
    static func deliveryTimedOut(_ batch: ProducerBatch) -> KafkaError {
        KafkaError(
            code: .timedOut,
            message:
                "\(batch.messageIDs.count) records for \(batch.topicPartition) not delivered within the delivery timeout",
            isRetriable: true
        )
    }
}
