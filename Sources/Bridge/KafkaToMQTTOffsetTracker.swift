import KafkaClient

/// Which offsets of each partition the Kafka → MQTT bridge may commit.
///
/// Records of a partition start in offset order but complete in any order (different sessions
/// acknowledge at different times). The committable offset of a partition is 1 + the highest
/// offset such that every record started up to it has completed: the next offset a restarted
/// consumer must read. Offsets the consumer never delivered (compacted away, transaction
/// markers) are gaps that hold nothing back.
///
/// A pure value: the bridge keeps it behind a lock. Revoking a partition drops its pending state;
/// completions of records started before the revocation are recognised by their epoch and
/// ignored, so a partition assigned again starts clean.
struct KafkaToMQTTOffsetTracker: Sendable {
    /// Names one started record.
    struct Ticket: Sendable, Hashable {
        var partition: TopicPartition
        var offset: Int64
        var epoch: UInt64
    }

    private struct Pending: Sendable {
        var offset: Int64
        var completed: Bool
    }

    private struct PartitionState: Sendable {
        var epoch: UInt64
        /// Started records in offset order; those before `head` are passed by the committable
        /// offset (an array with a moving head, compacted now and then: no Deque dependency).
        var pending: [Pending] = []
        var head = 0
        /// Next offset to commit: everything below it completed. nil until a record started.
        var committable: Int64?
        /// What the last commit (in progress or done) sent.
        var committed: Int64?
        /// The offset of the last record started.
        var lastBegun: Int64?
    }

    private var partitions: [TopicPartition: PartitionState] = [:]
    private var nextEpoch: UInt64 = 1

    /// Records started and not completed, over all partitions.
    private(set) var inFlight = 0
    /// Records completed since the last `takeCommits`.
    private(set) var completedSinceCommit = 0

    init() {}

    /// A record was handed to the broker. Offsets of one partition must start in increasing order.
    mutating func begin(_ partition: TopicPartition, offset: Int64) -> Ticket {
        if let last = partitions[partition]?.lastBegun, offset <= last {
            // The consumer went back (the partition was taken away and given again, and reading
            // restarts at the committed offset): what was pending belongs to the old assignment.
            _ = revoke([partition])
        }
        if partitions[partition] == nil {
            partitions[partition] = PartitionState(epoch: nextEpoch)
            nextEpoch += 1
        }
        let epoch = partitions[partition]!.epoch
        partitions[partition]!.pending.append(Pending(offset: offset, completed: false))
        partitions[partition]!.lastBegun = offset
        inFlight += 1
        return Ticket(partition: partition, offset: offset, epoch: epoch)
    }

    /// The record of `ticket` completed (handed off, or dead-lettered). Returns false when its
    /// partition was revoked since it started (nothing changes then).
    @discardableResult
    mutating func complete(_ ticket: Ticket) -> Bool {
        guard var state = partitions[ticket.partition], state.epoch == ticket.epoch else { return false }
        guard let index = Self.index(of: ticket.offset, in: state.pending, from: state.head),
            !state.pending[index].completed
        else {
            return false
        }
        // Taken out of the dictionary while it changes, so the array is not copied.
        partitions[ticket.partition] = nil
        state.pending[index].completed = true
        inFlight -= 1
        completedSinceCommit += 1
        while state.head < state.pending.count, state.pending[state.head].completed {
            state.committable = state.pending[state.head].offset + 1
            state.head += 1
        }
        if state.head == state.pending.count {
            state.pending.removeAll(keepingCapacity: true)
            state.head = 0
        } else if state.head >= 1_024, state.head * 2 >= state.pending.count {
            state.pending.removeFirst(state.head)
            state.head = 0
        }
        partitions[ticket.partition] = state
        return true
    }

    /// 1 + the highest offset of `partition` up to which everything completed; nil when nothing
    /// completed yet.
    func committable(_ partition: TopicPartition) -> Int64? {
        partitions[partition]?.committable
    }

    /// The offsets to commit now: every partition whose committable offset moved past what was
    /// last committed. They count as committed from here; see `commitFailed`.
    mutating func takeCommits() -> [TopicPartition: Int64] {
        completedSinceCommit = 0
        var offsets: [TopicPartition: Int64] = [:]
        for (partition, state) in partitions {
            guard let committable = state.committable, committable > (state.committed ?? -1) else { continue }
            offsets[partition] = committable
            partitions[partition]!.committed = committable
        }
        return offsets
    }

    /// A commit of `offsets` failed: they are offered again by the next `takeCommits`.
    mutating func commitFailed(_ offsets: [TopicPartition: Int64]) {
        for (partition, offset) in offsets where partitions[partition]?.committed == offset {
            partitions[partition]!.committed = nil
        }
    }

    /// Records of `partitions` started and not completed.
    func inFlight(in selected: [TopicPartition]) -> Int {
        selected.reduce(0) { total, partition in
            guard let state = partitions[partition] else { return total }
            return total + state.pending[state.head...].reduce(0) { $0 + ($1.completed ? 0 : 1) }
        }
    }

    /// Whether a commit would send anything.
    var hasCommits: Bool {
        partitions.values.contains { state in
            guard let committable = state.committable else { return false }
            return committable > (state.committed ?? -1)
        }
    }

    /// The partitions are taken away: returns their offsets still to commit (what completed), and
    /// forgets everything else about them; their unfinished records will be read again by
    /// whoever gets the partitions.
    mutating func revoke(_ revoked: [TopicPartition]) -> [TopicPartition: Int64] {
        var offsets: [TopicPartition: Int64] = [:]
        for partition in revoked {
            guard let state = partitions.removeValue(forKey: partition) else { continue }
            inFlight -= state.pending[state.head...].reduce(0) { $0 + ($1.completed ? 0 : 1) }
            if let committable = state.committable, committable > (state.committed ?? -1) {
                offsets[partition] = committable
            }
        }
        return offsets
    }

    /// Forgets every partition (the consumer failed); epochs stay unique, so completions of the
    /// forgotten records are ignored.
    mutating func revokeAll() -> [TopicPartition: Int64] {
        revoke(Array(partitions.keys))
    }

    /// Offsets of a partition are started in increasing order: binary search.
    private static func index(of offset: Int64, in pending: [Pending], from head: Int) -> Int? {
        var low = head
        var high = pending.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let value = pending[middle].offset
            if value == offset { return middle }
            if value < offset { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }
}
