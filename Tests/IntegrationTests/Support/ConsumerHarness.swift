import KafkaClient
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A ``KafkaConsumer`` running in a task for a test, with its records and events collected as
/// they come (so a test can poll for them with a deadline).
final class ConsumerHarness: Sendable {
    let consumer: KafkaConsumer
    private let running: Task<Void, any Error>
    private let reader: Task<Void, Never>
    private let watcher: Task<Void, Never>
    private let collected = NIOLockedValueBox<([KafkaConsumerRecord], [(KafkaConsumerEvent, ContinuousClock.Instant)])>(
        ([], [])
    )
    /// When true, each record is committed (offset + 1) right after it was collected.
    let commitEach: Bool

    init(
        _ configuration: KafkaConsumerConfiguration,
        commitEach: Bool = false,
        logger: Logger = Logger(label: "tributary.kafka.consumer"),
        onRevoke: (@Sendable ([TopicPartition]) async -> Void)? = nil
    ) throws {
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger, onRevoke: onRevoke)
        self.consumer = consumer
        self.commitEach = commitEach
        self.running = Task { try await consumer.run() }
        let collected = self.collected
        self.reader = Task {
            do {
                for try await record in consumer.messages {
                    if commitEach { try await consumer.commit(record) }
                    collected.withLockedValue { $0.0.append(record) }
                }
            } catch {
                // The test sees the failure through run()'s task.
            }
        }
        self.watcher = Task {
            for await event in consumer.events {
                collected.withLockedValue { $0.1.append((event, .now)) }
            }
        }
    }

    var records: [KafkaConsumerRecord] { self.collected.withLockedValue { $0.0 } }
    var events: [KafkaConsumerEvent] { self.collected.withLockedValue { $0.1.map(\.0) } }
    /// The events with when they were seen (to check the order across consumers).
    var timedEvents: [(KafkaConsumerEvent, ContinuousClock.Instant)] { self.collected.withLockedValue { $0.1 } }

    /// The partitions assigned now, per the events seen so far.
    var assigned: Set<TopicPartition> {
        var owned = Set<TopicPartition>()
        for event in self.events {
            switch event {
            case .assigned(let partitions): owned.formUnion(partitions)
            case .revoked(let partitions), .lost(let partitions): owned.subtract(partitions)
            }
        }
        return owned
    }

    /// Whether ``stop()`` or ``cancel()`` has ended the consumer's run.
    var hasStopped: Bool { self.stopped.withLockedValue { $0 } }
    private let stopped = NIOLockedValueBox(false)

    /// Graceful shutdown (revocation, LeaveGroup), then waits for everything to end.
    func stop() async throws {
        self.consumer.triggerGracefulShutdown()
        try await self.running.value
        await self.reader.value
        await self.watcher.value
        self.stopped.withLockedValue { $0 = true }
    }

    /// Stops at once, as a crash would (no revocation callback, no commit).
    func cancel() async {
        self.running.cancel()
        self.reader.cancel()
        _ = try? await self.running.value
        await self.reader.value
        await self.watcher.value
    }
}

extension KafkaConsumerRecord {
    var valueText: String { self.value.map { String(buffer: $0) } ?? "" }
}
