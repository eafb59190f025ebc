import Atomics
import KafkaClient
import Logging
import NIOConcurrencyHelpers

// Commits: completed offsets only, batched, one commit at a time; revocation commits what
// completed and forgets the rest.
extension KafkaToMQTTBridge {
    /// Commits completed offsets when woken (a record completed), at most every `commitInterval`
    /// unless `commitRecords` completed meanwhile. Ends when the consumer is done.
    func runCommits(_ wakeups: AsyncStream<Void>, consumer: KafkaConsumer) async {
        let clock = ContinuousClock()
        var last = clock.now - settings.commitInterval
        for await _ in wakeups {
            let due = last + settings.commitInterval
            let enoughRecords = state.withLockedValue { $0.tracker.completedSinceCommit >= settings.commitRecords }
            if clock.now < due, !enoughRecords {
                try? await Task.sleep(until: due, clock: clock)
            }
            await commitCompleted(consumer: consumer)
            last = clock.now
        }
    }

    func commitCompleted(consumer: KafkaConsumer) async {
        await oneCommitAtATime {
            let offsets = state.withLockedValue { $0.tracker.takeCommits() }
            await commit(offsets, consumer: consumer)
        }
    }

    /// Runs `body` when no other commit runs; the offsets are taken inside, so a later commit
    /// always carries offsets at least as high.
    func oneCommitAtATime(_ body: () async -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = state.withLockedValue { state in
                guard state.committing else {
                    state.committing = true
                    return true
                }
                state.commitQueue.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
        await body()
        let next: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
            guard !state.commitQueue.isEmpty else {
                state.committing = false
                return nil
            }
            return state.commitQueue.removeFirst()  // the turn passes on; `committing` stays set
        }
        next?.resume()
    }

    func commit(_ offsets: [TopicPartition: Int64], consumer: KafkaConsumer) async {
        guard !offsets.isEmpty else { return }
        do {
            try await consumer.commit(offsets)
            counters.commits.wrappingIncrement(ordering: .relaxed)
            state.withLockedValue { state in
                state.committed.merge(offsets) { max($0, $1) }
            }
        } catch {
            counters.commitFailures.wrappingIncrement(ordering: .relaxed)
            state.withLockedValue { $0.tracker.commitFailed(offsets) }
            logger.warning("offset commit failed", metadata: ["error": "\(error)", "offsets": "\(offsets)"])
        }
    }

    /// Partitions are taken away: let their records in flight finish (bounded), commit what
    /// completed, forget the rest.
    func revoked(_ partitions: [TopicPartition], consumer: KafkaConsumer) async {
        let clock = ContinuousClock()
        let deadline = clock.now + revokeDrainTimeout
        while state.withLockedValue({ $0.tracker.inFlight(in: partitions) }) > 0, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        await oneCommitAtATime {
            let (offsets, waiter) = state.withLockedValue { state in
                let offsets = state.tracker.revoke(partitions)
                return (offsets, state.takeRoomWaiter(maximum: settings.maximumInFlight))
            }
            waiter?.resume()
            await commit(offsets, consumer: consumer)
        }
        state.withLockedValue { state in
            for partition in partitions { state.committed[partition] = nil }
        }
    }
}
