import DequeModule
import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Sends records to Kafka: batching per partition, idempotent by default, with backpressure.
///
/// Shaped like swift-kafka-client's `KafkaProducer`: a ServiceLifecycle `Service` whose
/// ``run()`` does the sending (run it in a `ServiceGroup` or a task), ``send(_:)`` returning an
/// id, and ``sendAndAwait(_:)`` returning the delivery report. Graceful shutdown (or
/// ``triggerGracefulShutdown()``) stops new sends, delivers what is buffered, then returns.
public final class KafkaProducer: Service, Sendable {
    /// The outcome of one record: its report, or why it failed.
    public typealias DeliveryResult = Result<KafkaDeliveryReport, KafkaProducerFailure>

    let configuration: KafkaProducerConfiguration
    let cluster: KafkaCluster
    let logger: Logger
    private let metrics: ProducerMetrics
    private let onDelivery: (@Sendable (DeliveryResult) -> Void)?
    private let wakeStream: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private let state: NIOLockedValueBox<State>
    private let recentTopic = NIOLockedValueBox<RecentTopic?>(nil)

    private struct RecentTopic: Sendable {
        var name: String
        var partitionCount: Int32
        var validUntil: ContinuousClock.Instant
    }

    private enum Lifecycle {
        case running
        case shuttingDown
        case finished
    }

    private enum AwaitedDelivery {
        case pending
        case waiting(CheckedContinuation<KafkaDeliveryReport, any Error>)
        case done(Result<KafkaDeliveryReport, any Error>)
    }

    private struct State {
        var accumulator: ProducerAccumulator
        var lifecycle = Lifecycle.running
        var nextID: UInt64 = 0
        var awaited: [UInt64: AwaitedDelivery] = [:]
        var memoryWaiters: [CheckedContinuation<Void, Never>] = []
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var timerDeadline: ContinuousClock.Instant?
        var isMaintaining = false
    }

    /// Creates a producer; nothing is sent until ``run()`` runs.
    ///
    /// - Parameter onDelivery: called (on a NIO thread; keep it short) once per record with its
    ///   delivery report or failure.
    public init(
        configuration: KafkaProducerConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tributary.kafka.producer"),
        onDelivery: (@Sendable (DeliveryResult) -> Void)? = nil
    ) throws {
        guard configuration.batchSize > 0, configuration.bufferMemory > 0, configuration.maxRequestSize > 0 else {
            throw KafkaError(
                code: .invalidConfiguration,
                message: "batch size, buffer memory and request size must be positive"
            )
        }
        self.configuration = configuration
        self.cluster = try KafkaCluster(configuration: configuration.client, group: eventLoopGroup, logger: logger)
        self.logger = logger
        self.metrics = ProducerMetrics(clientID: configuration.client.clientID)
        self.onDelivery = onDelivery
        (self.wakeStream, self.wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.state = NIOLockedValueBox(
            State(accumulator: ProducerAccumulator(settings: configuration.accumulatorSettings))
        )
    }

    // MARK: Sending

    /// Queues a record and returns its id. Suspends while the buffer memory is used up
    /// (backpressure). Throws ``KafkaError/Code/shutDown`` after shutdown began,
    /// ``KafkaError/Code/messageTooLarge``, or a metadata error for an unknown topic.
    @discardableResult
    public func send(_ message: KafkaProducerMessage) async throws -> KafkaProducerMessageID {
        if let id = try self.trySend(message) { return id }
        return try await self.enqueue(message, awaited: false)
    }

    /// Sends a record and waits for its delivery report (partition and offset), or throws the
    /// ``KafkaError`` it failed with (after the producer's retries).
    public func sendAndAwait(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        let id = try await self.enqueue(message, awaited: true)
        return try await withCheckedThrowingContinuation { continuation in
            let done = self.state.withLockedValue { state -> Result<KafkaDeliveryReport, any Error>? in
                if case .done(let result) = state.awaited[id.rawValue] {
                    state.awaited[id.rawValue] = nil
                    return result
                }
                state.awaited[id.rawValue] = .waiting(continuation)
                return nil
            }
            if let done { continuation.resume(with: done) }
        }
    }

    /// Sends everything queued now without waiting for linger, and returns when every record
    /// sent so far is delivered or failed.
    public func flush() async {
        await withCheckedContinuation { continuation in
            let done = self.state.withLockedValue { state -> Bool in
                if state.accumulator.isEmpty { return true }
                state.accumulator.isFlushing = true
                state.flushWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() } else { self.wake.yield() }
        }
    }

    /// Begins a graceful shutdown: new sends fail, buffered records are still delivered, then
    /// ``run()`` returns.
    public func triggerGracefulShutdown() {
        let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            if case .running = state.lifecycle { state.lifecycle = .shuttingDown }
            state.accumulator.isFlushing = true
            defer { state.memoryWaiters.removeAll() }
            return state.memoryWaiters
        }
        for waiter in waiters { waiter.resume() }
        self.wake.yield()
    }

    /// Queues a record if that needs no waiting and returns its id; returns nil when it would
    /// have to wait (for the topic's metadata, or for buffer memory) — then use ``send(_:)``.
    /// The cheapest way to produce: no suspension point per record.
    public func trySend(_ message: KafkaProducerMessage) throws -> KafkaProducerMessageID? {
        let size = try self.checkedSize(of: message)
        let now = ContinuousClock.now
        var partitionCount: Int32?
        if message.partition == nil {
            guard let count = self.cachedPartitionCount(message.topic, now: now) else { return nil }
            partitionCount = count
        }
        let timestamp = message.timestamp ?? Self.nowMilliseconds()
        return try self.tryAppend(
            message,
            size: size,
            partitionCount: partitionCount,
            timestamp: timestamp,
            now: now,
            awaited: false
        )
    }

    /// The topic's partition count from a one-entry cache (valid for a second, so metadata
    /// changes still arrive), else from the cluster's metadata cache; nil when neither has it.
    private func cachedPartitionCount(_ topic: String, now: ContinuousClock.Instant) -> Int32? {
        // Compared in place: copying the entry out would retain and release its name per record.
        let recent = self.recentTopic.withLockedValue { entry -> Int32? in
            guard let entry, entry.validUntil > now, entry.name == topic else { return nil }
            return entry.partitionCount
        }
        if let recent { return recent }
        guard let cached = self.cluster.cachedTopic(topic, now: now) else { return nil }
        let count = Int32(cached.partitions.count)
        self.recentTopic.withLockedValue {
            $0 = RecentTopic(name: topic, partitionCount: count, validUntil: now + .seconds(1))
        }
        return count
    }

    private func checkedSize(of message: KafkaProducerMessage) throws -> Int {
        let size = ProducerAccumulator.size(key: message.key, value: message.value, headers: message.headers)
        guard size <= self.configuration.maxRequestSize else {
            throw KafkaError(
                code: .messageTooLarge,
                message: "a record of \(size) bytes exceeds max request size \(self.configuration.maxRequestSize)"
            )
        }
        return size
    }

    private func enqueue(_ message: KafkaProducerMessage, awaited: Bool) async throws -> KafkaProducerMessageID {
        let size = try self.checkedSize(of: message)
        let now = ContinuousClock.now
        var partitionCount: Int32?
        if message.partition == nil {
            if let count = self.cachedPartitionCount(message.topic, now: now) {
                partitionCount = count
            } else {
                try self.checkRunning()
                partitionCount = Int32(try await self.cluster.topic(message.topic).partitions.count)
            }
        }
        let timestamp = message.timestamp ?? Self.nowMilliseconds()
        while true {
            if let id = try self.tryAppend(
                message,
                size: size,
                partitionCount: partitionCount,
                timestamp: timestamp,
                now: now,
                awaited: awaited
            ) {
                return id
            }
            await withCheckedContinuation { continuation in
                let wait = self.state.withLockedValue { state -> Bool in
                    guard case .running = state.lifecycle,
                        state.accumulator.bufferedBytes + size > self.configuration.bufferMemory
                    else { return false }
                    state.memoryWaiters.append(continuation)
                    return true
                }
                if !wait { continuation.resume() }
            }
        }
    }

    /// Appends under the lock, or returns nil when the buffer memory is used up.
    private func tryAppend(
        _ message: KafkaProducerMessage,
        size: Int,
        partitionCount: Int32?,
        timestamp: Int64,
        now: ContinuousClock.Instant,
        awaited: Bool
    ) throws -> KafkaProducerMessageID? {
        let appended = try self.state.withLockedValue { state -> (UInt64, Bool)? in
            guard case .running = state.lifecycle else { throw Self.shutDownError }
            guard
                state.accumulator.bufferedBytes == 0
                    || state.accumulator.bufferedBytes + size <= self.configuration.bufferMemory
            else { return nil }
            let partition: Int32
            var isSticky = false
            if let explicit = message.partition {
                partition = explicit
            } else if let key = message.key {
                partition = KafkaPartitioner.partition(forKey: key, partitionCount: partitionCount!)
            } else {
                partition = state.accumulator.stickyPartition(topic: message.topic, partitionCount: partitionCount!)
                isSticky = true
            }
            state.nextID += 1
            let id = state.nextID
            let (newBatch, full) = try state.accumulator.append(
                id: id,
                to: TopicPartition(topic: message.topic, partition: partition),
                key: message.key,
                value: message.value,
                headers: message.headers,
                timestamp: timestamp,
                isSticky: isSticky,
                now: now
            )
            if awaited { state.awaited[id] = .pending }
            return (id, newBatch || full)
        }
        guard let (id, signal) = appended else { return nil }
        if signal { self.wake.yield() }
        return KafkaProducerMessageID(rawValue: id)
    }

    private func checkRunning() throws {
        try self.state.withLockedValue { state in
            guard case .running = state.lifecycle else { throw Self.shutDownError }
        }
    }

    private static var shutDownError: KafkaError {
        KafkaError(code: .shutDown, message: "the producer is shutting down")
    }

    private static func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    // MARK: The sender loop

    /// Sends batches until a graceful shutdown has delivered everything, then closes the
    /// connections.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await self.sendLoop()
        } onGracefulShutdown: {
            self.triggerGracefulShutdown()
        }
    }

    private func sendLoop() async {
        var wakes = self.wakeStream.makeAsyncIterator()
        while true {
            let (needsProducerID, inFlight, finished) = self.state.withLockedValue { state in
                let finished: Bool
                if case .shuttingDown = state.lifecycle, state.accumulator.isEmpty {
                    state.lifecycle = .finished
                    finished = true
                } else {
                    finished = false
                }
                return (
                    state.accumulator.settings.idempotent && state.accumulator.needsProducerID,
                    state.accumulator.batchesInFlight, finished
                )
            }
            if finished { break }
            if needsProducerID {
                if inFlight == 0 {
                    await self.initProducerID()
                    continue
                }
            } else {
                self.drainAndSend()
            }
            _ = await wakes.next()
            if Task.isCancelled {
                // Stopped without waiting for Kafka: what is still queued fails now, so nobody
                // waits for it for ever.
                let completions = self.state.withLockedValue {
                    $0.accumulator.failQueued(KafkaError(code: .shutDown, message: "the producer was cancelled"))
                }
                self.finish(completions)
                break
            }
        }
        self.cluster.shutdown()
        self.logger.debug("producer stopped")
    }

    private func drainAndSend() {
        let metadata = self.cluster.metadata
        var connections: [TopicPartition: KafkaBrokerConnection] = [:]
        let now = ContinuousClock.now
        let drained = self.state.withLockedValue { state in
            state.accumulator.drain(now: now) { topicPartition in
                guard let leader = metadata.leader(topic: topicPartition.topic, partition: topicPartition.partition),
                    let connection = self.cluster.existingConnection(to: leader)
                else { return false }
                connections[topicPartition] = connection
                return true
            }
        }
        self.finish(drained.expired)
        if !drained.withoutLeader.isEmpty { self.maintain(drained.withoutLeader, metadata: metadata) }
        if let wakeAt = drained.nextWake { self.scheduleWake(at: wakeAt, now: now) }
        guard !drained.batches.isEmpty else { return }
        // One Produce request per broker (KIP-98 batches of several partitions per request).
        var byBroker: [ObjectIdentifier: (KafkaBrokerConnection, [ProducerBatch])] = [:]
        for batch in drained.batches {
            let connection = connections[batch.topicPartition]!
            byBroker[ObjectIdentifier(connection), default: (connection, [])].1.append(batch)
        }
        for (connection, batches) in byBroker.values {
            self.send(batches, via: connection)
        }
    }

    private func send(_ batches: [ProducerBatch], via connection: KafkaBrokerConnection) {
        var encodedBatches: [ProducerBatch] = []
        var topicData: [String: [ProduceRequest.PartitionData]] = [:]
        var failures: [(ProducerBatch, ProducerAccumulator.Outcome)] = []
        for var batch in batches {
            do {
                let records = try batch.encode()
                topicData[batch.topicPartition.topic, default: []].append(
                    .init(index: batch.topicPartition.partition, records: records)
                )
                encodedBatches.append(batch)
            } catch {
                failures.append(
                    (batch, .failed(KafkaError.wrapping(error, "encoding a batch for \(batch.topicPartition)")))
                )
            }
        }
        if !failures.isEmpty { self.handle(failures) }
        guard !encodedBatches.isEmpty else { return }
        let sent = encodedBatches
        let request = ProduceRequest(
            acks: self.configuration.acks.rawValue,
            timeoutMs: self.configuration.client.requestTimeout.milliseconds,
            topicData: topicData.map { ProduceRequest.TopicData(name: $0.key, partitionData: $0.value) }
        )
        self.metrics.requestSent()
        if self.configuration.acks == .none {
            connection.sendWithoutResponse(request).whenComplete { result in
                switch result {
                case .success:
                    self.handle(sent.map { ($0, .delivered(baseOffset: -1)) })
                case .failure(let error):
                    let wrapped = KafkaError.wrapping(error, "producing to \(connection.address)")
                    self.handle(sent.map { ($0, wrapped.isRetriable ? .retry(wrapped) : .failed(wrapped)) })
                }
            }
            return
        }
        connection.sendFuture(request).whenComplete { result in
            switch result {
            case .success(let response):
                self.handle(response: response, batches: sent, from: connection.address)
            case .failure(let error):
                let wrapped = KafkaError.wrapping(error, "producing to \(connection.address)")
                self.handle(sent.map { ($0, wrapped.isRetriable ? .retry(wrapped) : .failed(wrapped)) })
            }
        }
    }

    private func handle(response: ProduceResponse, batches: [ProducerBatch], from address: KafkaBrokerAddress) {
        var answers: [TopicPartition: ProduceResponse.PartitionResponse] = [:]
        for topic in response.responses {
            for partition in topic.partitionResponses {
                answers[TopicPartition(topic: topic.name, partition: partition.index)] = partition
            }
        }
        // Lowest sequence first, so an out-of-order answer sees the lower batch queued again.
        let ordered = batches.sorted { ($0.baseSequence ?? -1) < ($1.baseSequence ?? -1) }
        var staleLeaders: [TopicPartition] = []
        let completions = self.state.withLockedValue { state -> [ProducerAccumulator.Completion] in
            var completions: [ProducerAccumulator.Completion] = []
            for batch in ordered {
                let outcome: ProducerAccumulator.Outcome
                if let answer = answers[batch.topicPartition] {
                    outcome = state.accumulator.outcome(
                        for: answer.errorCode,
                        baseOffset: answer.baseOffset,
                        batch: batch
                    )
                    if [.notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition].contains(answer.errorCode)
                    {
                        staleLeaders.append(batch.topicPartition)
                    }
                } else {
                    outcome = .retry(
                        KafkaError(
                            code: .protocolViolation,
                            message: "\(address) did not answer for \(batch.topicPartition)",
                            isRetriable: true
                        )
                    )
                }
                if case .retry = outcome { self.metrics.batchRetried() }
                if let completion = state.accumulator.complete(batch, outcome: outcome, now: .now) {
                    completions.append(completion)
                }
            }
            return completions
        }
        for topicPartition in staleLeaders {
            self.cluster.invalidateLeader(topic: topicPartition.topic, partition: topicPartition.partition)
        }
        self.finish(completions)
        self.wake.yield()
    }

    private func handle(_ outcomes: [(ProducerBatch, ProducerAccumulator.Outcome)]) {
        let ordered = outcomes.sorted { ($0.0.baseSequence ?? -1) < ($1.0.baseSequence ?? -1) }
        let completions = self.state.withLockedValue { state in
            ordered.compactMap { batch, outcome in
                if case .retry = outcome { self.metrics.batchRetried() }
                return state.accumulator.complete(batch, outcome: outcome, now: .now)
            }
        }
        self.finish(completions)
        self.wake.yield()
    }

    /// Reports completed records: awaiting callers, the delivery callback, memory and flush waiters.
    private func finish(_ completions: [ProducerAccumulator.Completion]) {
        guard !completions.isEmpty else { return }
        var resumes: [(CheckedContinuation<KafkaDeliveryReport, any Error>, Result<KafkaDeliveryReport, any Error>)] =
            []
        let (memoryWaiters, flushWaiters, buffered) = self.state.withLockedValue { state in
            if !state.awaited.isEmpty {
                for completion in completions {
                    for (index, id) in completion.messageIDs.enumerated() {
                        guard let entry = state.awaited[id] else { continue }
                        let result = Self.result(for: completion, index: index, id: id).mapError { $0 as any Error }
                        switch entry {
                        case .waiting(let continuation):
                            state.awaited[id] = nil
                            resumes.append((continuation, result))
                        case .pending, .done:
                            state.awaited[id] = .done(result)
                        }
                    }
                }
            }
            let memory = state.memoryWaiters
            state.memoryWaiters.removeAll()
            var flush: [CheckedContinuation<Void, Never>] = []
            if state.accumulator.isEmpty {
                flush = state.flushWaiters
                state.flushWaiters.removeAll()
                if case .running = state.lifecycle { state.accumulator.isFlushing = false }
            }
            return (memory, flush, state.accumulator.bufferedBytes)
        }
        self.metrics.buffered(buffered)
        for completion in completions {
            switch completion.result {
            case .success: self.metrics.delivered(completion.messageIDs.count)
            case .failure(let error):
                self.metrics.failed(completion.messageIDs.count)
                self.logger.warning(
                    "records failed",
                    metadata: [
                        "kafka.partition": "\(completion.topicPartition)",
                        "kafka.records": "\(completion.messageIDs.count)", "error": "\(error)",
                    ]
                )
            }
        }
        if let onDelivery = self.onDelivery {
            for completion in completions {
                for (index, id) in completion.messageIDs.enumerated() {
                    onDelivery(Self.result(for: completion, index: index, id: id))
                }
            }
        }
        for (continuation, result) in resumes { continuation.resume(with: result) }
        for waiter in memoryWaiters { waiter.resume() }
        for waiter in flushWaiters { waiter.resume() }
    }

    private static func result(
        for completion: ProducerAccumulator.Completion,
        index: Int,
        id: UInt64
    ) -> Result<KafkaDeliveryReport, KafkaProducerFailure> {
        let messageID = KafkaProducerMessageID(rawValue: id)
        switch completion.result {
        case .success(let baseOffset):
            return .success(
                KafkaDeliveryReport(
                    id: messageID,
                    topicPartition: completion.topicPartition,
                    offset: baseOffset >= 0 ? baseOffset + Int64(index) : -1
                )
            )
        case .failure(let error):
            return .failure(
                KafkaProducerFailure(id: messageID, topicPartition: completion.topicPartition, error: error)
            )
        }
    }

    // MARK: Maintenance: connections, metadata, producer id

    /// Connects to known leaders or refreshes metadata for partitions whose leader is unknown;
    /// one maintenance task at a time, pausing by the retry backoff between rounds.
    private func maintain(_ partitions: [TopicPartition], metadata: ClusterMetadata) {
        let start = self.state.withLockedValue { state -> Bool in
            guard !state.isMaintaining else { return false }
            state.isMaintaining = true
            return true
        }
        guard start else { return }
        Task {
            var leaders: Set<Int32> = []
            var topics: Set<String> = []
            for topicPartition in partitions {
                if let leader = metadata.leader(topic: topicPartition.topic, partition: topicPartition.partition) {
                    leaders.insert(leader)
                } else {
                    topics.insert(topicPartition.topic)
                }
            }
            var failed = false
            for leader in leaders {
                do {
                    _ = try await self.cluster.connection(to: leader)
                } catch {
                    failed = true
                    self.logger.debug(
                        "cannot reach leader",
                        metadata: ["kafka.node": "\(leader)", "error": "\(error)"]
                    )
                    _ = try? await self.cluster.refreshMetadata(topics: Array(Set(partitions.map(\.topic))))
                }
            }
            if !topics.isEmpty {
                do {
                    let refreshed = try await self.cluster.refreshMetadata(topics: Array(topics))
                    failed =
                        failed
                        || partitions.contains { refreshed.leader(topic: $0.topic, partition: $0.partition) == nil }
                } catch {
                    failed = true
                }
            }
            if failed { try? await Task.sleep(for: self.configuration.client.retryBackoff) }
            self.state.withLockedValue { $0.isMaintaining = false }
            self.wake.yield()
        }
    }

    private func scheduleWake(at instant: ContinuousClock.Instant, now: ContinuousClock.Instant) {
        let schedule = self.state.withLockedValue { state -> Bool in
            if let current = state.timerDeadline, current <= instant, current > now { return false }
            state.timerDeadline = instant
            return true
        }
        guard schedule else { return }
        let delay = now.duration(to: instant)
        self.cluster.group.next().scheduleTask(in: max(delay, .zero).timeAmount) {
            self.state.withLockedValue { state in
                if state.timerDeadline == instant { state.timerDeadline = nil }
            }
            self.wake.yield()
        }
    }

    /// InitProducerId (KIP-98); after a sequence gap, a bump of the epoch of the same producer id
    /// (KIP-360, InitProducerId v3+), falling back to a new producer id.
    private func initProducerID() async {
        let (currentID, currentEpoch) = self.state.withLockedValue {
            ($0.accumulator.producerID, $0.accumulator.producerEpoch)
        }
        do {
            let response = try await self.cluster.withRetries("InitProducerId") {
                let connection = try await self.cluster.anyConnection()
                var request = InitProducerIdRequest()
                if currentID >= 0, try connection.version(for: .initProducerID) >= 3 {
                    request.producerID = currentID
                    request.producerEpoch = currentEpoch
                }
                var response = try await connection.send(request)
                if !response.errorCode.isSuccess, request.producerID >= 0 {
                    response = try await connection.send(InitProducerIdRequest())
                }
                guard response.errorCode.isSuccess else {
                    throw KafkaError.broker(response.errorCode, "InitProducerId")
                }
                return response
            }
            self.logger.debug(
                "producer id",
                metadata: ["kafka.producer_id": "\(response.producerID)", "kafka.epoch": "\(response.producerEpoch)"]
            )
            self.state.withLockedValue {
                $0.accumulator.setProducerID(response.producerID, epoch: response.producerEpoch)
            }
        } catch {
            self.logger.error("cannot get a producer id", metadata: ["error": "\(error)"])
            let completions = self.state.withLockedValue {
                $0.accumulator.failExpired(now: .now, KafkaError.wrapping(error, "InitProducerId"))
            }
            self.finish(completions)
            try? await Task.sleep(for: self.configuration.client.retryBackoffMax)
        }
    }
}

/// A record the producer could not deliver.
public struct KafkaProducerFailure: Error, Sendable {
    /// The message's id.
    public var id: KafkaProducerMessageID
    /// Where it was going.
    public var topicPartition: TopicPartition
    /// Why it failed.
    public var error: KafkaError
}
