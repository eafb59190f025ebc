import DequeModule

/// The consumer's record bookkeeping, without I/O: the assigned partitions with their fetch
/// positions, pauses, the buffer of fetched records not yet handed out, and the offsets handed
/// out (for auto-commit).
///
/// Every assignment change bumps ``epoch``; a fetch answer for an older epoch, for a paused
/// partition, or from another position than the current one is dropped, so a record of a
/// revoked partition never reaches the application after ``revokeAll()``.
struct ConsumerFetchState: Sendable {
    struct Partition: Hashable, Sendable {
        /// The next offset to fetch; nil until known (committed offset or reset).
        var position: Int64?
        var highWatermark: Int64 = -1
        var isPaused = false
        var isFetching = false
    }

    private(set) var partitions: [TopicPartition: Partition] = [:]
    private(set) var buffer = Deque<KafkaConsumerRecord>()
    /// Next offset after the last record handed out, per partition (what auto-commit commits).
    private(set) var consumed: [TopicPartition: Int64] = [:]
    private(set) var epoch: UInt64 = 0
    /// Partitions paused by the application, kept across reassignments of the same partition.
    private var paused: Set<TopicPartition> = []
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var assignment: [TopicPartition] {
        self.partitions.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
    }

    /// Whether `partition` is assigned now: a lookup, for per-record checks.
    func isAssigned(_ partition: TopicPartition) -> Bool { self.partitions[partition] != nil }

    var isBufferFull: Bool { self.buffer.count >= self.capacity }

    /// Replaces the assignment (positions may be nil: to be looked up).
    mutating func assign(_ positions: [TopicPartition: Int64?]) {
        self.epoch &+= 1
        self.buffer.removeAll()
        self.consumed.removeAll()
        self.partitions = positions.reduce(into: [:]) { result, entry in
            result[entry.key] = Partition(position: entry.value, isPaused: self.paused.contains(entry.key))
        }
    }

    /// Drops every partition and every buffered record; returns the partitions that were owned.
    mutating func revokeAll() -> [TopicPartition] {
        let owned = self.assignment
        self.epoch &+= 1
        self.partitions.removeAll()
        self.buffer.removeAll()
        self.consumed.removeAll()
        return owned
    }

    /// Sets the next offset to fetch of an assigned partition.
    mutating func seek(_ topicPartition: TopicPartition, to offset: Int64) {
        guard self.partitions[topicPartition] != nil else { return }
        self.dropBuffered { $0 == topicPartition }
        self.partitions[topicPartition]?.position = offset
    }

    /// Stops fetching `topicPartitions`; their buffered records are dropped and the position
    /// rewinds to the first of them, so ``resume(_:)`` continues without a gap.
    mutating func pause(_ topicPartitions: [TopicPartition]) {
        let set = Set(topicPartitions)
        self.paused.formUnion(set)
        for topicPartition in set where self.partitions[topicPartition] != nil {
            self.partitions[topicPartition]?.isPaused = true
        }
        self.dropBuffered { set.contains($0) }
    }

    mutating func resume(_ topicPartitions: [TopicPartition]) {
        self.paused.subtract(topicPartitions)
        for topicPartition in topicPartitions where self.partitions[topicPartition] != nil {
            self.partitions[topicPartition]?.isPaused = false
        }
    }

    /// Partitions without a known position (they need OffsetFetch / ListOffsets).
    var partitionsWithoutPosition: [TopicPartition] {
        self.partitions.filter { $0.value.position == nil }.map(\.key)
    }

    /// Partitions to fetch now with their positions, marked as being fetched; empty when the
    /// buffer is full.
    mutating func startFetch() -> [TopicPartition: Int64] {
        guard !self.isBufferFull else { return [:] }
        var result: [TopicPartition: Int64] = [:]
        for (topicPartition, partition) in self.partitions {
            guard let position = partition.position, !partition.isPaused, !partition.isFetching else { continue }
            result[topicPartition] = position
            self.partitions[topicPartition]?.isFetching = true
        }
        return result
    }

    /// Ends a fetch of `topicPartition` started at `offset` in `epoch`; appends the records
    /// and advances the position when the answer still applies. Returns whether it did.
    @discardableResult
    mutating func finishFetch(
        _ topicPartition: TopicPartition,
        from offset: Int64,
        epoch: UInt64,
        result: KafkaFetchResult?
    ) -> Bool {
        guard epoch == self.epoch, var partition = self.partitions[topicPartition] else { return false }
        partition.isFetching = false
        defer { self.partitions[topicPartition] = partition }
        guard let result, !partition.isPaused, partition.position == offset else { return false }
        partition.position = result.nextOffset
        if result.highWatermark >= 0 { partition.highWatermark = result.highWatermark }
        self.buffer.append(contentsOf: result.records)
        return true
    }

    /// Hands out the next buffered record.
    mutating func next(trackConsumed: Bool) -> KafkaConsumerRecord? {
        guard let record = self.buffer.popFirst() else { return nil }
        if trackConsumed { self.consumed[record.topicPartition] = record.offset + 1 }
        return record
    }

    /// Forgets what auto-commit committed.
    mutating func clearConsumed(_ committed: [TopicPartition: Int64]) {
        for (topicPartition, offset) in committed where self.consumed[topicPartition] == offset {
            self.consumed[topicPartition] = nil
        }
    }

    /// High watermark minus position, per assigned partition with both known.
    var lag: [TopicPartition: Int64] {
        self.partitions.reduce(into: [:]) { result, entry in
            guard let position = entry.value.position, entry.value.highWatermark >= 0 else { return }
            result[entry.key] = max(0, entry.value.highWatermark - position)
        }
    }

    private mutating func dropBuffered(where matches: (TopicPartition) -> Bool) {
        var firstDropped: [TopicPartition: Int64] = [:]
        self.buffer.removeAll { record in
            guard matches(record.topicPartition) else { return false }
            if firstDropped[record.topicPartition] == nil { firstDropped[record.topicPartition] = record.offset }
            return true
        }
        for (topicPartition, offset) in firstDropped {
            // An answer in flight was fetched from a later position: it no longer applies.
            self.partitions[topicPartition]?.position = offset
        }
    }
}
