import Atomics
import BrokerCore
import Dispatch
import Foundation
import KafkaClient
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

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
        /// Records refused because the bridge's queue was full.
        public var refused: Int
        /// MQTT arrival → Kafka acknowledgement since start, milliseconds.
        public var latencyP50Milliseconds: Double
        public var latencyP99Milliseconds: Double
    }

    private final class Counters: Sendable {
        let matched = ManagedAtomic<Int>(0)
        let acknowledged = ManagedAtomic<Int>(0)
        let failed = ManagedAtomic<Int>(0)
        let refused = ManagedAtomic<Int>(0)
        let latency = BridgeLatency()
    }

    private let mappings: [BridgeMapping]
    private let counters: [Counters]
    private let dispatchers: [ProducerDispatcher]
    private let clusterNames: [String]
    private let logger: Logger
    /// How often the latency of the last period is logged.
    private let logInterval: Duration

    /// - Parameter queueCapacity: records per cluster waiting for the producer before new ones
    ///   are refused with 0x97.
    public init(
        clusters: [BridgeCluster],
        mappings settings: [BridgeMappingSettings],
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        queueCapacity: Int = 100_000,
        logInterval: Duration = .seconds(60),
        logger: Logger = Logger(label: "tributary.bridge")
    ) throws {
        self.logInterval = logInterval
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
            let key = ProducerKey(cluster: cluster, overrides: mapping.producer)
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
                counters.failed.wrappingIncrement(ordering: .relaxed)
                logger.warning(
                    "record not produced",
                    metadata: ["mapping": "\(mapping.name)", "error": "\(failure.detail)"]
                )
                aggregate?.complete(.failure(failure))
            case .success(let record):
                let logger = self.logger
                let item = ProducerDispatcher.Item(record: record) { result in
                    switch result {
                    case .success:
                        counters.acknowledged.wrappingIncrement(ordering: .relaxed)
                        counters.latency.record(nanoseconds: DispatchTime.now().uptimeNanoseconds &- arrival)
                        aggregate?.complete(.success(()))
                    case .failure(let error):
                        counters.failed.wrappingIncrement(ordering: .relaxed)
                        logger.warning(
                            "Kafka did not take a record",
                            metadata: ["mapping": "\(mapping.name)", "topic": "\(record.topic)", "error": "\(error)"]
                        )
                        aggregate?.complete(.failure(Self.failure(error, mapping: mapping.name)))
                    }
                }
                if !dispatchers[mapping.dispatcherIndex].submit(item) {
                    counters.refused.wrappingIncrement(ordering: .relaxed)
                    aggregate?.complete(
                        .failure(
                            BridgeFailure(
                                reasonCode: .quotaExceeded,
                                mapping: mapping.name,
                                detail:
                                    "the bridge's queue to Kafka cluster \(clusterNames[mapping.clusterIndex]) is full"
                            )
                        )
                    )
                }
            }
        }
        return matchCount
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
        let code: MQTTReasonCode = error.code == .messageTooLarge ? .packetTooLarge : .unspecifiedError
        return BridgeFailure(reasonCode: code, mapping: mapping, detail: error.message)
    }

    public var statistics: [MappingStatistics] {
        zip(mappings, counters).map { mapping, counters in
            let latency = counters.latency.total
            return MappingStatistics(
                name: mapping.name,
                matched: counters.matched.load(ordering: .relaxed),
                acknowledged: counters.acknowledged.load(ordering: .relaxed),
                failed: counters.failed.load(ordering: .relaxed),
                refused: counters.refused.load(ordering: .relaxed),
                latencyP50Milliseconds: latency.p50Milliseconds,
                latencyP99Milliseconds: latency.p99Milliseconds
            )
        }
    }

    /// Runs the producers and dispatchers. On graceful shutdown the dispatchers stop taking
    /// records, hand what is queued to the producers, and the producers deliver it.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for dispatcher in dispatchers {
                group.addTask { try await dispatcher.producer.run() }
                group.addTask {
                    await dispatcher.run()
                    dispatcher.producer.triggerGracefulShutdown()
                }
            }
            group.addTask { [dispatchers] in
                try? await gracefulShutdown()
                for dispatcher in dispatchers { dispatcher.finish() }
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
