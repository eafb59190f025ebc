import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Reads records from Kafka, as a member of a consumer group or from manually assigned
/// partitions.
///
/// Shaped like swift-kafka-client's `KafkaConsumer`: a ServiceLifecycle `Service` whose
/// ``run()`` does the work (group membership, heartbeats, fetching), an async sequence of
/// records (``messages``), explicit commits (``commit(_:)-([TopicPartition:Int64])``), and a
/// sequence of rebalance ``events``.
///
/// Delivery is at least once: nothing is committed unless the application commits (or turns on
/// ``KafkaConsumerConfiguration/enableAutoCommit``), and a restarted consumer resumes at the
/// last committed offset. On a rebalance the consumer drops the buffered records of its
/// partitions, emits ``KafkaConsumerEvent/revoked(_:)`` and awaits `onRevoke` before it rejoins,
/// so the application can commit what it processed before another member takes the partitions.
public final class KafkaConsumer: Service, Sendable {
    let configuration: KafkaConsumerConfiguration
    let cluster: KafkaCluster
    let logger: Logger
    let onRevoke: (@Sendable ([TopicPartition]) async -> Void)?
    /// Wakes the fetch loop: assignment, resume, room in the buffer, shutdown.
    let fetchSignal = ConsumerSignal()
    /// Wakes the membership loop: shutdown, a commit that found the group rebalancing.
    let groupSignal = ConsumerSignal()
    let eventContinuation: AsyncStream<KafkaConsumerEvent>.Continuation
    let metrics: ConsumerMetrics
    private let eventStream: AsyncStream<KafkaConsumerEvent>
    let state: NIOLockedValueBox<State>

    enum Lifecycle {
        case idle
        case running
        case shuttingDown
        case finished
    }

    struct State {
        var fetch: ConsumerFetchState
        var membership: ConsumerGroupMembership
        /// The group coordinator's node id, once found.
        var coordinator: Int32?
        var lifecycle = Lifecycle.idle
        var messageWaiter: CheckedContinuation<KafkaConsumerRecord?, any Error>?
        var failure: KafkaError?
        /// Ends the group request the membership loop is waiting for (shutdown).
        var stopWaiter: (@Sendable () -> Void)?
        /// The partition counts the leader assigned from (nil: not the leader).
        var assignedPartitionCounts: [String: Int32]?
    }

    /// Creates a consumer; nothing happens until ``run()`` runs.
    ///
    /// - Parameter onRevoke: awaited when partitions are revoked (before the consumer rejoins
    ///   the group or leaves it, so before another member can take them): commit what was
    ///   processed here. It must finish within the rebalance timeout.
    public init(
        configuration: KafkaConsumerConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tributary.kafka.consumer"),
        onRevoke: (@Sendable ([TopicPartition]) async -> Void)? = nil
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.cluster = try KafkaCluster(configuration: configuration.client, group: eventLoopGroup, logger: logger)
        self.logger = logger
        self.onRevoke = onRevoke
        self.metrics = ConsumerMetrics(clientID: configuration.client.clientID, groupID: configuration.groupID)
        (self.eventStream, self.eventContinuation) = AsyncStream.makeStream(of: KafkaConsumerEvent.self)
        self.state = NIOLockedValueBox(
            State(
                fetch: ConsumerFetchState(capacity: configuration.maxBufferedRecords),
                membership: ConsumerGroupMembership(groupInstanceID: configuration.groupInstanceID)
            )
        )
    }

    /// The records read, in offset order per partition. Iterate from one task.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(consumer: self) }

    /// Assignments and revocations, in order. Iterate from one task.
    public var events: KafkaConsumerEvents { KafkaConsumerEvents(stream: self.eventStream) }

    /// The partitions currently assigned (empty between a revocation and the next assignment).
    public var assignment: [TopicPartition] { self.state.withLockedValue { $0.fetch.assignment } }

    /// Whether `partition` is assigned now (cheaper than searching ``assignment`` per record).
    public func isAssigned(_ partition: TopicPartition) -> Bool {
        self.state.withLockedValue { $0.fetch.isAssigned(partition) }
    }

    /// How far each assigned partition's fetch position is behind its high watermark, as of the
    /// last fetch (tansu may report a watermark that lags).
    public func lag() -> [TopicPartition: Int64] { self.state.withLockedValue { $0.fetch.lag } }

    /// Stops fetching `partitions` (records of them still buffered are dropped and fetched
    /// again after ``resume(_:)``). Pauses survive rebalances.
    public func pause(_ partitions: [TopicPartition]) {
        self.state.withLockedValue { $0.fetch.pause(partitions) }
    }

    /// Fetches `partitions` again.
    public func resume(_ partitions: [TopicPartition]) {
        self.state.withLockedValue { $0.fetch.resume(partitions) }
        self.fetchSignal.signal()
    }

    // MARK: Service

    /// Runs the consumer: joins the group (or takes the manual assignment), heartbeats, and
    /// fetches into ``messages``. Returns after graceful shutdown (ServiceLifecycle's, or
    /// ``triggerGracefulShutdown()``): partitions revoked (`onRevoke` awaited), group left
    /// (except static members), sequences finished. Cancelling the task stops at once without
    /// `onRevoke`. Throws the fatal ``KafkaError`` that stopped the consumer.
    public func run() async throws {
        try self.state.withLockedValue { state in
            guard case .idle = state.lifecycle else {
                throw KafkaError(code: .invalidConfiguration, message: "a KafkaConsumer runs only once")
            }
            state.lifecycle = .running
        }
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask {
                        try await self.runFetchLoop()
                        return false
                    }
                    group.addTask {
                        if self.configuration.usesGroup {
                            try await self.runGroupLoop()
                        } else {
                            try await self.runManualAssignment()
                        }
                        return true
                    }
                    // The membership task ends the run (shutdown, cancellation, failure). The fetch
                    // loop stops first at a graceful shutdown; the membership task must still run
                    // `onRevoke`, its commits and LeaveGroup uncancelled.
                    while let isMembership = try await group.next(), !isMembership {}
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                self.triggerGracefulShutdown()
            }
        } catch {
            let failure = KafkaError.wrapping(error, "consumer")
            self.finish(failure: Task.isCancelled ? nil : failure)
            if Task.isCancelled { return }
            throw failure
        }
        self.finish(failure: nil)
    }

    /// Begins a graceful shutdown: partitions are revoked (with `onRevoke`), the group is left,
    /// then ``run()`` returns and the sequences end.
    public func triggerGracefulShutdown() {
        self.state.withLockedValue { state in
            if case .running = state.lifecycle { state.lifecycle = .shuttingDown }
            if case .idle = state.lifecycle { state.lifecycle = .finished }
        }
        self.groupSignal.signal()
        self.fetchSignal.signal()
        self.wakeStopWaiter()
    }

    var isShuttingDown: Bool {
        self.state.withLockedValue { state in
            switch state.lifecycle {
            case .idle, .running: false
            case .shuttingDown, .finished: true
            }
        }
    }

    private func finish(failure: KafkaError?) {
        let waiter = self.state.withLockedValue { state in
            state.lifecycle = .finished
            state.failure = failure
            defer { state.messageWaiter = nil }
            return state.messageWaiter
        }
        if let failure {
            self.logger.error("consumer stopped", metadata: ["error": "\(failure)"])
            waiter?.resume(throwing: failure)
        } else {
            waiter?.resume(returning: nil)
        }
        self.eventContinuation.finish()
        self.cluster.shutdown()
    }

    // MARK: Messages

    func nextRecord() async throws -> KafkaConsumerRecord? {
        enum Taken {
            case record(KafkaConsumerRecord, wakeFetcher: Bool)
            case finished(KafkaError?)
            case empty
            case busy
        }
        let trackConsumed = self.configuration.enableAutoCommit
        func take(_ state: inout State) -> Taken {
            let wasFull = state.fetch.isBufferFull
            if let record = state.fetch.next(trackConsumed: trackConsumed) {
                return .record(record, wakeFetcher: wasFull && !state.fetch.isBufferFull)
            }
            if case .finished = state.lifecycle { return .finished(state.failure) }
            return .empty
        }
        switch self.state.withLockedValue({ take(&$0) }) {
        case .record(let record, let wake):
            if wake { self.fetchSignal.signal() }
            return record
        case .finished(let failure):
            if let failure { throw failure }
            return nil
        case .empty, .busy:
            break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let taken = self.state.withLockedValue { state -> Taken in
                    let taken = take(&state)
                    guard case .empty = taken else { return taken }
                    // One waiter only: a second would replace (and leak) the first.
                    if state.messageWaiter != nil { return .busy }
                    // A cancelled task (its handler may have run already) does not wait.
                    if !Task.isCancelled { state.messageWaiter = continuation }
                    return taken
                }
                switch taken {
                case .record(let record, let wake):
                    if wake { self.fetchSignal.signal() }
                    continuation.resume(returning: record)
                case .finished(let failure):
                    if let failure {
                        continuation.resume(throwing: failure)
                    } else {
                        continuation.resume(returning: nil)
                    }
                case .empty:
                    // Fetching only stops on a full buffer, so an empty one needs no wake-up.
                    if Task.isCancelled { continuation.resume(returning: nil) }
                case .busy:
                    continuation.resume(
                        throwing: KafkaError(
                            code: .invalidConfiguration,
                            message: "KafkaConsumer.messages is already being iterated by another task"
                        )
                    )
                }
            }
        } onCancel: {
            let waiter = self.state.withLockedValue { state in
                defer { state.messageWaiter = nil }
                return state.messageWaiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Hands the next buffered record to a waiting iterator; call after records were added.
    func deliverToWaiter() {
        let trackConsumed = self.configuration.enableAutoCommit
        let delivery = self.state.withLockedValue {
            state -> (CheckedContinuation<KafkaConsumerRecord?, any Error>, KafkaConsumerRecord)? in
            guard let waiter = state.messageWaiter, let record = state.fetch.next(trackConsumed: trackConsumed)
            else { return nil }
            state.messageWaiter = nil
            return (waiter, record)
        }
        if let (waiter, record) = delivery { waiter.resume(returning: record) }
    }

    func emit(_ event: KafkaConsumerEvent) {
        if case .assigned = event { self.metrics.assigned() }
        self.logger.info("partitions changed", metadata: ["kafka.event": "\(event)"])
        self.eventContinuation.yield(event)
    }
}
