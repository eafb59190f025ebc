import Atomics
import BrokerCore
import Dispatch
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Store

/// MQTT → Kafka: every message the broker routes is offered to `forward`; each mapping whose
/// filters match turns it into a Kafka record on its cluster's producer.
///
/// A `Service`: `run()` runs the producers and their dispatchers until graceful shutdown, then
/// delivers what is still queued. The broker calls `forward` from its event loops; it never
/// blocks, and the completion (for QoS 1/2) says when every matching mapping's record was
/// acknowledged by Kafka (`acks=all`), which is when the broker sends PUBACK/PUBREC (`sync` mode,
/// ../shared/DESIGN.md "Delivery promises").
public final class MQTTKafkaBridge: Service, Sendable {
    /// Counters of one mapping.
    public struct MappingStatistics: Sendable {
        public var name: String
        /// Messages whose topic matched.
        public var matched: Int
        /// Records Kafka acknowledged.
        public var acknowledged: Int
        /// Records that failed (Kafka error, bad topic from the template).
        public var failed: Int
        /// `failed`, by reason.
        public var failedByReason: [BridgeFailureReason: Int]
        /// Records refused because the bridge's queue was full.
        public var refused: Int
        /// MQTT arrival → Kafka acknowledgement since start, milliseconds.
        public var latencyP50Milliseconds: Double
        public var latencyP99Milliseconds: Double
        /// Records Kafka refused for good, sent to the dead-letter topic or table.
        public var deadLettered: Int
        /// The spool, for mappings that have one (nil otherwise).
        public var spool: SpoolStatistics?
    }

    /// The spool of one mapping.
    public struct SpoolStatistics: Sendable {
        /// Records and bytes in the spool now.
        public var records: Int
        public var bytes: Int
        /// Age of the oldest spooled record, seconds; 0 when empty.
        public var oldestAgeSeconds: Double
        /// Records written to the spool since start.
        public var spooled: Int
        /// Spooled records Kafka acknowledged on replay since start.
        public var replayed: Int
        /// Records replayed per second since the previous reading of the statistics.
        public var drainRate: Double
        /// Whether Kafka acknowledged this mapping's latest records in time.
        public var kafkaAvailable: Bool
        /// How often `kafkaAvailable` changed since start.
        public var availabilityChanges: Int
    }

    private final class Counters: Sendable {
        let matched = ManagedAtomic<Int>(0)
        let acknowledged = ManagedAtomic<Int>(0)
        let failed = ManagedAtomic<Int>(0)
        let refused = ManagedAtomic<Int>(0)
        let deadLettered = ManagedAtomic<Int>(0)
        let failuresByReason = BridgeFailureReason.allCases.map { _ in ManagedAtomic<Int>(0) }
        let latency = BridgeLatency()

        func fail(_ reason: BridgeFailureReason) {
            failed.wrappingIncrement(ordering: .relaxed)
            let index = BridgeFailureReason.allCases.firstIndex(of: reason)!
            failuresByReason[index].wrappingIncrement(ordering: .relaxed)
        }
    }

    private let mappings: [BridgeMapping]
    private let counters: [Counters]
    private let dispatchers: [ProducerDispatcher]
    /// Per mapping: its spool (nil for `reject` mappings and without a store).
    private let spools: [MappingSpool?]
    private let deadLetters: [DeadLetterSink]
    /// Orders spooled records across restarts (continues after the highest one in the store).
    private let sequences: ManagedAtomic<Int64>
    private let clusterNames: [String]
    private let logger: Logger
    /// How often the latency of the last period is logged.
    private let logInterval: Duration
    /// How long a graceful shutdown waits for the producers to deliver what they hold.
    private let shutdownGrace: Duration

    /// - Parameters:
    ///   - store: where the spool and the dead letters live (the broker's store); without one,
    ///     `async` mappings are refused and `on-kafka-unavailable: spool` acts as `reject`.
    ///   - queueCapacity: records per cluster waiting for the producer before new ones are
    ///     refused with 0x97.
    /// - Throws: `BridgeConfigurationError` for bad mappings; `StoreError` when the spool cannot
    ///   be read.
    public init(
        clusters: [BridgeCluster],
        mappings settings: [BridgeMappingSettings],
        store: DurableStore? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        queueCapacity: Int = 100_000,
        logInterval: Duration = .seconds(60),
        shutdownGrace: Duration = .seconds(10),
        logger: Logger = Logger(label: "tributary.bridge")
    ) throws {
        self.logInterval = logInterval
        self.shutdownGrace = shutdownGrace
        // One producer per cluster and set of producer settings, shared by the mappings that have
        // them, so records of one key always go through one ordered sender.
        struct ProducerKey: Hashable {
            var cluster: Int
            var overrides: ProducerOverrides
        }
        var producerKeys: [ProducerKey] = []
        var mappings: [BridgeMapping] = []
        for mapping in settings {
            guard let cluster = clusters.firstIndex(where: { $0.name == mapping.cluster }) else {
                throw BridgeConfigurationError(
                    description: "mapping \(mapping.name): no Kafka cluster named \"\(mapping.cluster)\""
                )
            }
            if mapping.mode == .async, store == nil {
                throw BridgeConfigurationError(
                    description: "mapping \(mapping.name): mode async needs a data-dir, where the spool lives"
                )
            }
            var overrides = mapping.producer
            overrides.deliveryTimeout = Self.deliveryTimeout(of: mapping, spools: store != nil)
            let key = ProducerKey(cluster: cluster, overrides: overrides)
            let dispatcher = producerKeys.firstIndex(of: key) ?? producerKeys.count
            if dispatcher == producerKeys.count { producerKeys.append(key) }
            mappings.append(try BridgeMapping(mapping, clusterIndex: cluster, dispatcherIndex: dispatcher))
        }
        self.mappings = mappings
        self.counters = mappings.map { _ in Counters() }
        self.clusterNames = clusters.map(\.name)
        self.logger = logger
        self.dispatchers = try producerKeys.map { key in
            let waiters = DeliveryWaiters()
            let configuration = key.overrides.applied(to: clusters[key.cluster].producer)
            let producer = try KafkaProducer(
                configuration: configuration,
                eventLoopGroup: eventLoopGroup,
                logger: logger,
                onDelivery: { waiters.delivered($0) }
            )
            let admin = try KafkaClusterClient(
                configuration: configuration.client,
                eventLoopGroup: eventLoopGroup,
                logger: logger
            )
            return ProducerDispatcher(
                producer: producer,
                waiters: waiters,
                topicCheck: KafkaTopicCheck(
                    admin: admin,
                    autoCreatePartitions: key.overrides.autoCreatePartitions,
                    logger: logger
                ),
                capacity: queueCapacity
            )
        }
        let recovered = try store?.spoolSummary()
        let sequences = ManagedAtomic((recovered?.maximumSequence ?? 0) + 1)
        self.sequences = sequences
        let dispatchers = self.dispatchers
        self.deadLetters = zip(settings, mappings).map { setting, mapping in
            DeadLetterSink(
                mapping: setting.name,
                topic: setting.deadLetterTopic,
                dispatcher: dispatchers[mapping.dispatcherIndex],
                store: store,
                logger: logger
            )
        }
        let deadLetters = self.deadLetters
        self.spools = settings.indices.map { index in
            let setting = settings[index]
            guard let store, let policy = Self.spoolPolicy(of: setting) else {
                if let leftover = recovered?.mappings[setting.name], leftover.records > 0 {
                    logger.warning(
                        "the spool holds records of a mapping that no longer spools; they stay there",
                        metadata: ["mapping": "\(setting.name)", "records": "\(leftover.records)"]
                    )
                }
                return nil
            }
            return MappingSpool(
                mapping: setting.name,
                policy: policy,
                limits: .init(maximumRecords: setting.spoolMaximumRecords, maximumBytes: setting.spoolMaximumBytes),
                unavailableAfter: setting.unavailableAfter,
                recovered: recovered?.mappings[setting.name],
                sequences: sequences,
                store: store,
                dispatcher: dispatchers[mappings[index].dispatcherIndex],
                deadLetters: deadLetters[index],
                logger: logger
            )
        }
        for name in recovered?.mappings.keys.sorted() ?? [] where !settings.contains(where: { $0.name == name }) {
            logger.warning(
                "the spool holds records of a mapping that is not configured; they stay there",
                metadata: ["mapping": "\(name)", "records": "\(recovered?.mappings[name]?.records ?? 0)"]
            )
        }
    }

    private static func spoolPolicy(of mapping: BridgeMappingSettings) -> SpoolPolicy? {
        switch (mapping.mode, mapping.onKafkaUnavailable) {
        case (.async, _): .async
        case (.sync, .spool): .syncSpool
        case (.sync, .reject): nil
        }
    }

    /// A spooling mapping's producer never gives a record up (the spool answers its publisher
    /// meanwhile, and giving one up could let a later record of its key overtake it); others give
    /// up once Kafka counts as unavailable.
    private static func deliveryTimeout(of mapping: BridgeMappingSettings, spools: Bool) -> Duration {
        spools && spoolPolicy(of: mapping) != nil ? .seconds(10 * 365 * 86_400) : mapping.unavailableAfter
    }

    /// Whether a message on `topic` goes to Kafka (some mapping's filter matches it).
    public func matches(_ topic: String) -> Bool {
        mappings.contains { $0.matches(topic) }
    }

    /// A spool that a message on `topic` goes to is nearly full: the broker should stop reading
    /// from its publisher until the spool has room again (backpressure before refusals).
    public func publishersShouldWait(topic: String) -> Bool {
        // Most of the time no spool is under pressure, and no topic is matched at all.
        guard spools.contains(where: { $0?.isUnderPressure == true }) else { return false }
        return spools.indices.contains { spools[$0]?.isUnderPressure == true && mappings[$0].matches(topic) }
    }

    /// Whether any mapping exists; a broker without mappings skips the bridge entirely.
    public var isEmpty: Bool { mappings.isEmpty }

    /// Offers a routed message to the mappings.
    ///
    /// - Parameter completion: for messages whose acknowledgement waits for Kafka; called once,
    ///   on some thread, when every matching mapping's record is acknowledged (success) or the
    ///   first failed (the failure). Not called when nothing matched.
    /// - Returns: how many mappings matched.
    @discardableResult
    public func forward(
        _ message: ApplicationMessage,
        from publisher: BridgePublisher,
        completion: (@Sendable (Result<Void, BridgeFailure>) -> Void)?
    ) -> Int {
        // Counted first so the common case, a topic no mapping wants, allocates nothing.
        let matchCount = mappings.reduce(0) { $0 + ($1.matches(message.topic) ? 1 : 0) }
        guard matchCount > 0 else { return 0 }
        let aggregate = completion.map { CompletionAggregate(expected: matchCount, completion: $0) }
        let timestamp = Int64((Date().timeIntervalSince1970 * 1_000).rounded())
        let arrival = DispatchTime.now().uptimeNanoseconds
        for index in mappings.indices where mappings[index].matches(message.topic) {
            let mapping = mappings[index]
            let counters = self.counters[index]
            counters.matched.wrappingIncrement(ordering: .relaxed)
            switch mapping.record(for: message, from: publisher, timestamp: timestamp) {
            case .failure(let failure):
                counters.fail(.badTopicName)
                counters.deadLettered.wrappingIncrement(ordering: .relaxed)
                deadLetters[index].deadLetter(
                    mapping.unbuildableRecord(for: message, from: publisher, timestamp: timestamp),
                    reason: failure.detail
                )
                aggregate?.complete(.failure(failure))
            case .success(let record):
                guard let spool = spools[index] else {
                    sendDirect(record, mappingIndex: index, arrival: arrival, sequence: nil, completion: aggregate)
                    continue
                }
                let spoolCompletion = aggregate.map { aggregate in { @Sendable in aggregate.complete($0) } }
                switch spool.accept(record, completion: spoolCompletion) {
                case .direct(let sequence):
                    sendDirect(record, mappingIndex: index, arrival: arrival, sequence: sequence, completion: aggregate)
                case .spooled:
                    break
                case .full:
                    refuse(aggregate, counters: counters, mapping: mapping.name, detail: "the spool is full")
                }
            }
        }
        return matchCount
    }

    /// Hands a record to the mapping's ordered sender; the answer goes to `completion`, or, when
    /// the record got a shadow in the spool meanwhile (`sequence` is set for spooling mappings),
    /// to the spool only.
    private func sendDirect(
        _ record: KafkaProducerMessage,
        mappingIndex index: Int,
        arrival: UInt64,
        sequence: Int64?,
        completion aggregate: CompletionAggregate?
    ) {
        let mapping = mappings[index]
        let counters = self.counters[index]
        let spool = spools[index]
        let deadLetters = self.deadLetters[index]
        let logger = self.logger
        let item = ProducerDispatcher.Item(record: record) { result in
            if let sequence, let spool, case .failure(let error) = result, !Self.isRefusedForGood(error) {
                // Kafka is unreachable: a spooling mapping keeps the record instead of failing it.
                guard spool.directFailedRetriably(sequence: sequence) else { return }
                counters.fail(BridgeFailureReason(error))
                aggregate?.complete(.failure(Self.failure(error, mapping: mapping.name)))
                return
            }
            let acknowledged = (try? result.get()) != nil
            if let sequence, let spool, !spool.directAnswered(sequence: sequence, acknowledged: acknowledged) {
                // The publisher was answered when the shadow reached the disk.
                if acknowledged { counters.acknowledged.wrappingIncrement(ordering: .relaxed) }
                return
            }
            switch result {
            case .success:
                counters.acknowledged.wrappingIncrement(ordering: .relaxed)
                counters.latency.record(nanoseconds: DispatchTime.now().uptimeNanoseconds &- arrival)
                aggregate?.complete(.success(()))
            case .failure(let error):
                counters.fail(BridgeFailureReason(error))
                logger.warning(
                    "Kafka did not take a record",
                    metadata: ["mapping": "\(mapping.name)", "topic": "\(record.topic)", "error": "\(error)"]
                )
                if Self.isRefusedForGood(error) {
                    counters.deadLettered.wrappingIncrement(ordering: .relaxed)
                    deadLetters.deadLetter(record, reason: "\(error)")
                }
                aggregate?.complete(.failure(Self.failure(error, mapping: mapping.name)))
            }
        }
        if !dispatchers[mapping.dispatcherIndex].submit(item) {
            // A shadow made meanwhile has answered the publisher already and will be replayed.
            if let sequence, let spool, !spool.directFailedRetriably(sequence: sequence) { return }
            refuse(
                aggregate,
                counters: counters,
                mapping: mapping.name,
                detail: "the bridge's queue to Kafka cluster \(clusterNames[mapping.clusterIndex]) is full"
            )
        }
    }

    /// No room for the record (0x97 Quota exceeded): counted, and the publisher is told.
    private func refuse(_ aggregate: CompletionAggregate?, counters: Counters, mapping: String, detail: String) {
        counters.refused.wrappingIncrement(ordering: .relaxed)
        aggregate?.complete(.failure(BridgeFailure(reasonCode: .quotaExceeded, mapping: mapping, detail: detail)))
    }

    /// Kafka will never take the record as it is (too large, unknown topic, not authorised):
    /// retrying cannot help, so it goes to the dead letters.
    static func isRefusedForGood(_ error: KafkaError) -> Bool {
        !error.isRetriable && error.code != .shutDown
    }

    /// One line per mapping that had traffic in the last `logInterval`.
    private func logLatency() {
        for (mapping, counters) in zip(mappings, counters) {
            let window = counters.latency.takeWindow()
            guard window.count > 0 else { continue }
            logger.info(
                "bridge latency, MQTT arrival to Kafka acknowledgement",
                metadata: [
                    "mapping": "\(mapping.name)", "records": "\(window.count)",
                    "p50_ms": "\(window.p50Milliseconds)", "p99_ms": "\(window.p99Milliseconds)",
                ]
            )
        }
    }

    private static func failure(_ error: KafkaError, mapping: String) -> BridgeFailure {
        let code: MQTTReasonCode
        switch error.brokerErrorCode {
        case .topicAuthorizationFailed?, .clusterAuthorizationFailed?:
            code = .notAuthorized
        case .messageTooLarge?, .recordListTooLarge?:
            code = .packetTooLarge
        default:
            code = error.code == .messageTooLarge ? .packetTooLarge : .unspecifiedError
        }
        return BridgeFailure(reasonCode: code, mapping: mapping, detail: error.message)
    }

    public var statistics: [MappingStatistics] {
        mappings.indices.map { index in
            let (mapping, counters) = (mappings[index], self.counters[index])
            let spoolStatistics = spools[index]?.statistics
            let latency = counters.latency.total
            return MappingStatistics(
                name: mapping.name,
                matched: counters.matched.load(ordering: .relaxed),
                acknowledged: counters.acknowledged.load(ordering: .relaxed),
                failed: counters.failed.load(ordering: .relaxed),
                failedByReason: Dictionary(
                    uniqueKeysWithValues: zip(
                        BridgeFailureReason.allCases,
                        counters.failuresByReason.map { $0.load(ordering: .relaxed) }
                    )
                ),
                refused: counters.refused.load(ordering: .relaxed),
                latencyP50Milliseconds: latency.p50Milliseconds,
                latencyP99Milliseconds: latency.p99Milliseconds,
                deadLettered: counters.deadLettered.load(ordering: .relaxed) + (spoolStatistics?.deadLettered ?? 0),
                spool: spoolStatistics.map { statistics in
                    SpoolStatistics(
                        records: statistics.spooledRecords,
                        bytes: statistics.spooledBytes,
                        oldestAgeSeconds: statistics.oldestAgeSeconds,
                        spooled: statistics.spooled,
                        replayed: statistics.replayed,
                        drainRate: statistics.drainRate,
                        kafkaAvailable: statistics.kafkaAvailable,
                        availabilityChanges: statistics.availabilityChanges
                    )
                }
            )
        }
    }

    /// Runs the producers and dispatchers. On graceful shutdown the dispatchers stop taking
    /// records, hand what is queued to the producers, and the producers deliver it.
    public func run() async throws {
        // The producers run in tasks of their own so that shutdown can stop them after a grace
        // period (below); they still see the service group's graceful shutdown.
        let producersStopped = ManagedAtomic<Int>(0)
        let producerRuns = dispatchers.map { dispatcher in
            Task {
                defer { producersStopped.wrappingIncrement(ordering: .relaxed) }
                try await dispatcher.producer.run()
            }
        }
        try await withTaskCancellationHandler {
            try await runServices(producerRuns: producerRuns, producersStopped: producersStopped)
        } onCancel: {
            for run in producerRuns { run.cancel() }
        }
    }

    private func runServices(producerRuns: [Task<Void, any Error>], producersStopped: ManagedAtomic<Int>) async throws {
        let shutdownGrace = self.shutdownGrace
        let logger = self.logger
        try await withThrowingDiscardingTaskGroup { group in
            for run in producerRuns {
                group.addTask { try await run.value }
            }
            for dispatcher in dispatchers {
                group.addTask {
                    await dispatcher.run()
                    dispatcher.producer.triggerGracefulShutdown()
                }
            }
            let spools = self.spools.compactMap { $0 }
            for spool in spools {
                group.addTask { await spool.drain() }
            }
            group.addTask { [dispatchers] in
                try? await gracefulShutdown()
                // Spooled records stay in the spool for the next start; what the senders hold
                // is still delivered.
                for spool in spools { spool.finish() }
                for dispatcher in dispatchers { dispatcher.finish() }
                // The producers deliver what they hold, for `shutdownGrace` at most: while Kafka
                // is unreachable they would wait for ever, and what they still hold then is in a
                // spool or unacknowledged (its publisher sends it again).
                let deadline = ContinuousClock.now + shutdownGrace
                while producersStopped.load(ordering: .relaxed) < producerRuns.count, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                if producersStopped.load(ordering: .relaxed) < producerRuns.count {
                    logger.warning(
                        "Kafka did not take the producers' records in the shutdown grace period; spooled ones stay in the spool for the next start",
                        metadata: ["grace_s": "\(shutdownGrace.components.seconds)"]
                    )
                }
                for run in producerRuns { run.cancel() }
            }
            if !spools.isEmpty {
                group.addTask {
                    // Notices when Kafka leaves records unanswered too long, so `sync` mappings
                    // fall back to the spool.
                    try? await cancelWhenGracefulShutdown {
                        while true {
                            try await Task.sleep(for: .milliseconds(100))
                            for spool in spools { spool.checkAvailability() }
                        }
                    }
                }
            }
            group.addTask { [self] in
                // Until the HTTP side exists, the latency histogram reaches operators in the log.
                // Ends quietly at graceful shutdown (or cancellation), never taking the producers
                // down with it.
                try? await cancelWhenGracefulShutdown {
                    while true {
                        try await Task.sleep(for: self.logInterval)
                        self.logLatency()
                    }
                }
            }
        }
    }
}

/// Calls a completion once: with success when all `expected` parts succeeded, or with the first
/// failure.
private final class CompletionAggregate: Sendable {
    private let state: NIOLockedValueBox<(remaining: Int, done: Bool)>
    private let completion: @Sendable (Result<Void, BridgeFailure>) -> Void

    init(expected: Int, completion: @escaping @Sendable (Result<Void, BridgeFailure>) -> Void) {
        self.state = NIOLockedValueBox((expected, false))
        self.completion = completion
    }

    func complete(_ result: Result<Void, BridgeFailure>) {
        let fire: Bool = state.withLockedValue { state in
            guard !state.done else { return false }
            switch result {
            case .success:
                state.remaining -= 1
                if state.remaining == 0 { state.done = true }
                return state.done
            case .failure:
                state.done = true
                return true
            }
        }
        if fire { completion(result) }
    }
}
