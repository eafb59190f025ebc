import Atomics
import BrokerCore
import KafkaClient
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Kafka → MQTT for one mapping: a group consumer whose records become MQTT messages routed like
/// local publishes, with offsets committed only after delivery.
///
/// A record's offset becomes committable once the broker reports it handed off to every matching
/// session (`HandOff`), or once it was given to the dead-letter hook (its topic could not be
/// built, or no session took it). Completed offsets are committed in batches: when the
/// committable offset advanced, at most every `commitInterval` (sooner after `commitRecords`
/// completions) — never on a timer that would commit unfinished work. A restart resumes from the
/// last commit: at-least-once end to end.
///
/// On revocation, the bridge waits (up to `revokeDrainTimeout`) for the partitions' records in
/// flight, commits what completed, and forgets the rest, which the next owner reads again.
public final class KafkaToMQTTBridge: Service, Sendable {
    /// Counters of the mapping, for `$SYS/broker/bridge/<name>/...`.
    public struct Statistics: Sendable {
        public var name: String
        /// Records read from Kafka.
        public var consumed: Int
        /// Records handed off to at least one session (or retained).
        public var delivered: Int
        /// Records given to the dead-letter destination (`invalidTopic` + `noSubscriber`).
        public var deadLettered: Int
        public var invalidTopic: Int
        public var noSubscriber: Int
        /// Successful offset commits, and failed ones.
        public var commits: Int
        public var commitFailures: Int
        /// Records handed to the broker and not yet completed.
        public var inFlight: Int
        /// Per partition: what was committed and how far behind the consumer is.
        public var partitions: [PartitionStatistics]
    }

    /// One partition the mapping consumes or committed.
    public struct PartitionStatistics: Sendable {
        public var topic: String
        public var partition: Int32
        /// The last committed offset (the next offset to read), if this run committed one.
        public var committedOffset: Int64?
        /// High watermark − position, as of the last fetch, while the partition is assigned.
        public var lag: Int64?
    }

    final class Counters: Sendable {
        let consumed = ManagedAtomic<Int>(0)
        let delivered = ManagedAtomic<Int>(0)
        let invalidTopic = ManagedAtomic<Int>(0)
        let noSubscriber = ManagedAtomic<Int>(0)
        let commits = ManagedAtomic<Int>(0)
        let commitFailures = ManagedAtomic<Int>(0)
    }

    struct State {
        var tracker = KafkaToMQTTOffsetTracker()
        var committed: [TopicPartition: Int64] = [:]
        /// The record loop, waiting for `inFlight` to drop below the maximum.
        var roomWaiter: CheckedContinuation<Void, Never>?
        /// Wakes the commit loop of the running consumer.
        var commitWakeup: AsyncStream<Void>.Continuation?
        var consumer: KafkaConsumer?
        /// `triggerGracefulShutdown` was called.
        var stopping = false
        /// One commit at a time (the commit loop and a revocation), so a partition's committed
        /// offset never goes back because two commits overtook each other.
        var committing = false
        var commitQueue: [CheckedContinuation<Void, Never>] = []

        /// The record loop's continuation, when it waits and there is room now.
        mutating func takeRoomWaiter(maximum: Int) -> CheckedContinuation<Void, Never>? {
            guard tracker.inFlight < maximum, let waiter = roomWaiter else { return nil }
            roomWaiter = nil
            return waiter
        }
    }

    public let name: String
    let settings: KafkaToMQTTSettings
    let mapping: KafkaToMQTTMapping
    let client: KafkaClientConfiguration
    let destination: any KafkaToMQTTDestination
    let deadLetter: (@Sendable (KafkaToMQTTDeadLetter) async -> Void)?
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger
    let counters = Counters()
    let state = NIOLockedValueBox(State())
    /// How long a revocation waits for the partitions' records in flight.
    let revokeDrainTimeout: Duration
    /// The pause before a failed consumer is replaced.
    let failureBackoff: Duration = .seconds(5)

    /// - Parameters:
    ///   - client: the cluster's connection settings.
    ///   - destination: the broker.
    ///   - deadLetter: where records that cannot be delivered go; awaited before their offset
    ///     counts as complete. nil: they are counted and logged only.
    public init(
        settings: KafkaToMQTTSettings,
        client: KafkaClientConfiguration,
        destination: any KafkaToMQTTDestination,
        deadLetter: (@Sendable (KafkaToMQTTDeadLetter) async -> Void)? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        revokeDrainTimeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "tributary.bridge")
    ) throws(BridgeConfigurationError) {
        self.name = settings.name
        self.settings = settings
        self.mapping = try KafkaToMQTTMapping(settings)
        self.client = client
        self.destination = destination
        self.deadLetter = deadLetter
        self.eventLoopGroup = eventLoopGroup
        // No heartbeats go out while `onRevoke` waits: stay well inside the session timeout, or
        // the coordinator expires the member and its final commit fails.
        self.revokeDrainTimeout = min(revokeDrainTimeout, settings.sessionTimeout / 3)
        var logger = logger
        logger[metadataKey: "mapping"] = "\(settings.name)"
        self.logger = logger
        if case .pattern(let pattern) = settings.topics {
            do {
                _ = try Regex(pattern)
            } catch {
                throw BridgeConfigurationError(
                    description: "mapping \(settings.name): invalid kafka-topic-pattern: \(error)"
                )
            }
        }
    }

    public var statistics: Statistics {
        let (inFlight, committed, consumer) = state.withLockedValue { ($0.tracker.inFlight, $0.committed, $0.consumer) }
        let invalidTopic = counters.invalidTopic.load(ordering: .relaxed)
        let noSubscriber = counters.noSubscriber.load(ordering: .relaxed)
        return Statistics(
            name: name,
            consumed: counters.consumed.load(ordering: .relaxed),
            delivered: counters.delivered.load(ordering: .relaxed),
            deadLettered: invalidTopic + noSubscriber,
            invalidTopic: invalidTopic,
            noSubscriber: noSubscriber,
            commits: counters.commits.load(ordering: .relaxed),
            commitFailures: counters.commitFailures.load(ordering: .relaxed),
            inFlight: inFlight,
            partitions: Self.partitions(committed: committed, lag: consumer?.lag() ?? [:])
        )
    }

    private static func partitions(
        committed: [TopicPartition: Int64],
        lag: [TopicPartition: Int64]
    ) -> [PartitionStatistics] {
        Set(committed.keys).union(lag.keys)
            .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
            .map { partition in
                PartitionStatistics(
                    topic: partition.topic,
                    partition: partition.partition,
                    committedOffset: committed[partition],
                    lag: lag[partition]
                )
            }
    }

    // MARK: Service

    /// Stops as a graceful shutdown of the service group would: the consumer gives its
    /// partitions up (records in flight get `revokeDrainTimeout` to finish, what completed is
    /// committed), leaves the group, and `run()` returns.
    public func triggerGracefulShutdown() {
        let consumer = state.withLockedValue { state in
            state.stopping = true
            return state.consumer
        }
        consumer?.triggerGracefulShutdown()
    }

    /// Consumes until graceful shutdown. With `kafka-topic-pattern`, the matching topics are
    /// looked up at start and every `patternRefreshInterval`; when they change the consumer is
    /// replaced (committing what completed, as on any revocation).
    public func run() async throws {
        let admin: KafkaClusterClient? =
            if case .pattern = settings.topics {
                try KafkaClusterClient(configuration: client, eventLoopGroup: eventLoopGroup, logger: logger)
            } else {
                nil
            }
        defer { admin?.shutdown() }
        while !Task.isShuttingDownGracefully, !Task.isCancelled, !state.withLockedValue({ $0.stopping }) {
            let topics = try await resolveTopics(admin)
            if topics.isEmpty {
                logger.notice("kafka-topic-pattern matches no topic yet")
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: self.settings.patternRefreshInterval)
                }
                continue
            }
            switch try await consume(topics: topics, admin: admin) {
            case .stopped:
                return
            case .topicsChanged:
                continue
            case .failed:
                // Kafka trouble must not take the MQTT broker down: start over after a pause.
                // What was in flight is read again by whoever gets the partitions.
                let waiter = state.withLockedValue { state in
                    _ = state.tracker.revokeAll()
                    return state.takeRoomWaiter(maximum: settings.maximumInFlight)
                }
                waiter?.resume()
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.failureBackoff) }
            }
        }
    }

    /// How one consumer ended.
    private enum ConsumerEnd {
        /// Graceful shutdown (the service group's, or `triggerGracefulShutdown`).
        case stopped
        /// The topic pattern matches other topics now.
        case topicsChanged
        /// The consumer failed for good.
        case failed
    }

    private func resolveTopics(_ admin: KafkaClusterClient?) async throws -> [String] {
        switch settings.topics {
        case .list(let topics):
            return topics
        case .pattern(let pattern):
            guard let admin else { return [] }
            let regex = try Regex(pattern)
            do {
                return try await admin.listTopics()
                    .filter { !$0.isInternal && (try? regex.wholeMatch(in: $0.name)) != nil }
                    .map(\.name)
            } catch {
                logger.warning("could not list Kafka topics", metadata: ["error": "\(error)"])
                return []
            }
        }
    }

    /// Runs one consumer until shutdown (false) or until the topic pattern's matches change (true).
    private func consume(topics: [String], admin: KafkaClusterClient?) async throws -> ConsumerEnd {
        var configuration = KafkaConsumerConfiguration(client: client)
        configuration.groupID = settings.groupID
        configuration.topics = topics
        configuration.enableAutoCommit = false
        configuration.autoOffsetReset = settings.startFromEarliest ? .earliest : .latest
        configuration.sessionTimeout = settings.sessionTimeout
        configuration.heartbeatInterval = min(configuration.heartbeatInterval, settings.sessionTimeout / 3)
        let consumerBox = NIOLockedValueBox<KafkaConsumer?>(nil)
        let consumer = try KafkaConsumer(
            configuration: configuration,
            eventLoopGroup: eventLoopGroup,
            logger: logger,
            onRevoke: { [self] partitions in
                guard let consumer = consumerBox.withLockedValue({ $0 }) else { return }
                await self.revoked(partitions, consumer: consumer)
            }
        )
        consumerBox.withLockedValue { $0 = consumer }
        let (wakeups, wakeup) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let stopping = state.withLockedValue { state in
            state.commitWakeup = wakeup
            state.consumer = consumer
            return state.stopping
        }
        if stopping { consumer.triggerGracefulShutdown() }
        logger.info("consuming", metadata: ["topics": "\(topics)", "group": "\(settings.groupID)"])
        let restart = ManagedAtomic<Bool>(false)
        let failed = ManagedAtomic<Bool>(false)
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            group.addTask { [self] in
                for await event in consumer.events {
                    switch event {
                    case .assigned(let partitions):
                        logger.info("partitions assigned", metadata: ["partitions": "\(partitions)"])
                    case .revoked(let partitions):
                        logger.info("partitions revoked", metadata: ["partitions": "\(partitions)"])
                    case .lost(let partitions):
                        // The group moved on without us: nothing may be committed for them.
                        logger.warning("partitions lost", metadata: ["partitions": "\(partitions)"])
                        let waiter = state.withLockedValue { state in
                            _ = state.tracker.revoke(partitions)
                            return state.takeRoomWaiter(maximum: settings.maximumInFlight)
                        }
                        waiter?.resume()
                    }
                }
            }
            group.addTask { [self] in await runCommits(wakeups, consumer: consumer) }
            if case .pattern = settings.topics {
                group.addTask { [self] in
                    try? await cancelWhenGracefulShutdown {
                        while true {
                            try await Task.sleep(for: self.settings.patternRefreshInterval)
                            let now = try await self.resolveTopics(admin)
                            if !now.isEmpty, Set(now) != Set(topics) {
                                self.logger.info("kafka-topic-pattern matches changed", metadata: ["topics": "\(now)"])
                                restart.store(true, ordering: .relaxed)
                                consumer.triggerGracefulShutdown()
                                return
                            }
                        }
                    }
                }
            }
            do {
                for try await record in consumer.messages {
                    await waitForRoom()
                    handle(record, consumer: consumer)
                }
            } catch {
                logger.error("consumer failed", metadata: ["error": "\(error)"])
                failed.store(true, ordering: .relaxed)
                consumer.triggerGracefulShutdown()
            }
            // The consumer is done (its partitions revoked): stop committing.
            wakeup.finish()
            group.cancelAll()
            while let result = await group.nextResult() {
                if case .failure(let error) = result, !(error is CancellationError) {
                    logger.error("consumer stopped", metadata: ["error": "\(error)"])
                    failed.store(true, ordering: .relaxed)
                }
            }
        }
        state.withLockedValue {
            $0.commitWakeup = nil
            $0.consumer = nil
        }
        if restart.load(ordering: .relaxed) { return .topicsChanged }
        let stopped = Task.isShuttingDownGracefully || Task.isCancelled || state.withLockedValue { $0.stopping }
        return failed.load(ordering: .relaxed) && !stopped ? .failed : .stopped
    }
}
