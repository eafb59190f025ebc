import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The client's view of one Kafka cluster: a connection per broker (opened on first use,
/// reopened after it closed), bootstrap from several addresses, and the metadata cache.
///
/// Shared by the admin and fetch operations (``KafkaClusterClient``) and by the producer.
final class KafkaCluster: Sendable {
    let configuration: KafkaClientConfiguration
    let group: any EventLoopGroup
    let logger: Logger

    private enum Slot {
        case connecting(Task<KafkaBrokerConnection, any Error>)
        case connected(KafkaBrokerConnection)
    }

    private struct State {
        var metadata = ClusterMetadata()
        var metadataUpdated: ContinuousClock.Instant?
        /// Connections by node id; bootstrap connections use negative keys (-1 - index).
        var slots: [Int32: Slot] = [:]
        var isShutDown = false
    }

    private let state = NIOLockedValueBox(State())

    init(configuration: KafkaClientConfiguration, group: any EventLoopGroup, logger: Logger) throws {
        guard !configuration.bootstrapServers.isEmpty else {
            throw KafkaError(code: .invalidConfiguration, message: "no bootstrap servers given")
        }
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    /// The cached metadata (possibly empty or stale).
    var metadata: ClusterMetadata { self.state.withLockedValue { $0.metadata } }

    /// Closes every connection; later operations fail with ``KafkaError/Code/shutDown``.
    func shutdown() {
        let slots = self.state.withLockedValue { state in
            state.isShutDown = true
            defer { state.slots.removeAll() }
            return Array(state.slots.values)
        }
        for slot in slots {
            switch slot {
            case .connected(let connection): connection.close()
            case .connecting(let task): Task { try? await task.value.close() }
            }
        }
    }

    // MARK: Connections

    /// An open connection to the broker with `nodeID`, if there is one already (no I/O).
    func existingConnection(to nodeID: Int32) -> KafkaBrokerConnection? {
        self.state.withLockedValue { state in
            if case .connected(let connection) = state.slots[nodeID], connection.isActive { return connection }
            return nil
        }
    }

    /// The connection to the broker with `nodeID`, opened if needed.
    func connection(to nodeID: Int32) async throws -> KafkaBrokerConnection {
        if let connection = self.existingConnection(to: nodeID) { return connection }
        guard let address = self.state.withLockedValue({ $0.metadata.brokers[nodeID] }) else {
            _ = try await self.refreshMetadata(topics: [])
            guard let address = self.state.withLockedValue({ $0.metadata.brokers[nodeID] }) else {
                throw KafkaError(
                    code: .broker,
                    message: "broker \(nodeID) is not in the cluster metadata",
                    isRetriable: true
                )
            }
            return try await self.connection(key: nodeID, address: address)
        }
        return try await self.connection(key: nodeID, address: address)
    }

    /// A second connection to the broker with `nodeID`, apart from the one fetches use: a
    /// broker answers one connection's requests in order, so group requests (heartbeats,
    /// commits) would otherwise wait behind a long-polling Fetch. The Java client does the same
    /// (its coordinator connection uses node id `Int32.max - id`).
    func coordinatorConnection(to nodeID: Int32) async throws -> KafkaBrokerConnection {
        let key = Int32.max - nodeID
        if let connection = self.existingConnection(to: key) { return connection }
        if self.state.withLockedValue({ $0.metadata.brokers[nodeID] }) == nil {
            _ = try await self.refreshMetadata(topics: [])
        }
        guard let address = self.state.withLockedValue({ $0.metadata.brokers[nodeID] }) else {
            throw KafkaError(
                code: .broker,
                message: "coordinator \(nodeID) is not in the cluster metadata",
                isRetriable: true
            )
        }
        return try await self.connection(key: key, address: address)
    }

    /// A connection to any broker: an open one if there is one, else the known brokers, else the
    /// bootstrap addresses in order.
    func anyConnection() async throws -> KafkaBrokerConnection {
        let (open, known) = self.state.withLockedValue {
            state -> (KafkaBrokerConnection?, [(Int32, KafkaBrokerAddress)]) in
            for slot in state.slots.values {
                if case .connected(let connection) = slot, connection.isActive { return (connection, []) }
            }
            return (nil, state.metadata.brokers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
        if let open { return open }
        var failures: [String] = []
        let bootstrap = self.configuration.bootstrapServers.enumerated().map { (Int32(-1 - $0.offset), $0.element) }
        for (key, address) in known + bootstrap {
            do {
                return try await self.connection(key: key, address: address)
            } catch let error as KafkaError where !error.isRetriable {
                // Authentication, TLS or version problems: another address will not fix them.
                throw error
            } catch {
                failures.append("\(address): \(error)")
            }
        }
        throw KafkaError(
            code: .connectionFailed,
            message: "no broker reachable (\(failures.joined(separator: "; ")))",
            isRetriable: true
        )
    }

    private func connection(key: Int32, address: KafkaBrokerAddress) async throws -> KafkaBrokerConnection {
        let configuration = self.configuration
        let group = self.group
        let task = try self.state.withLockedValue { state -> Task<KafkaBrokerConnection, any Error> in
            guard !state.isShutDown else {
                throw KafkaError(code: .shutDown, message: "the Kafka client was shut down")
            }
            switch state.slots[key] {
            case .connected(let connection) where connection.isActive:
                return Task { connection }
            case .connecting(let task):
                return task
            case .connected, nil:
                let task = Task {
                    try await KafkaBrokerConnection.connect(to: address, configuration: configuration, group: group)
                }
                state.slots[key] = .connecting(task)
                return task
            }
        }
        do {
            let connection = try await task.value
            let keep = self.state.withLockedValue { state -> Bool in
                guard !state.isShutDown else { return false }
                if case .connecting = state.slots[key] { state.slots[key] = .connected(connection) }
                return true
            }
            guard keep else {
                connection.close()
                throw KafkaError(code: .shutDown, message: "the Kafka client was shut down")
            }
            self.logger.debug("connected", metadata: ["kafka.broker": "\(address)", "kafka.node": "\(key)"])
            return connection
        } catch {
            self.state.withLockedValue { state in
                if case .connecting = state.slots[key] { state.slots[key] = nil }
            }
            throw error
        }
    }

    // MARK: Metadata

    /// Asks a broker for metadata of `topics` (nil: all topics; []: brokers only) and updates
    /// the cache.
    @discardableResult
    func refreshMetadata(topics: [String]?) async throws -> ClusterMetadata {
        let connection = try await self.anyConnection()
        let request = MetadataRequest(topics: topics.map { $0.map { MetadataRequest.Topic(name: $0) } })
        let response = try await connection.send(request)
        return self.state.withLockedValue { state in
            state.metadata.apply(response, requested: topics)
            state.metadataUpdated = .now
            return state.metadata
        }
    }

    /// Marks a partition's leader unknown (after NOT_LEADER_OR_FOLLOWER and the like).
    func invalidateLeader(topic: String, partition: Int32) {
        self.state.withLockedValue { $0.metadata.invalidateLeader(topic: topic, partition: partition) }
    }

    /// The cached topic, if it is usable and younger than the metadata max age (no I/O; the
    /// producer's per-record fast path).
    func cachedTopic(_ name: String, now: ContinuousClock.Instant) -> ClusterMetadata.Topic? {
        self.state.withLockedValue { state in
            guard let updated = state.metadataUpdated, updated + self.configuration.metadataMaxAge > now,
                let topic = state.metadata.topics[name], topic.isUsable
            else { return nil }
            return topic
        }
    }

    /// The topic's metadata with a leader for every partition, refreshing (with backoff) until
    /// the cluster has it or ``KafkaClientConfiguration/operationTimeout`` passes.
    func topic(_ name: String) async throws -> ClusterMetadata.Topic {
        let cached = self.state.withLockedValue { state -> ClusterMetadata.Topic? in
            guard let updated = state.metadataUpdated, updated.duration(to: .now) < self.configuration.metadataMaxAge
            else { return nil }
            return state.metadata.topics[name]
        }
        if let cached, cached.isUsable { return cached }
        return try await self.withRetries("metadata for topic \(name)") {
            let metadata = try await self.refreshMetadata(topics: [name])
            guard let topic = metadata.topics[name] else {
                throw KafkaError(
                    code: .unknownTopicOrPartition,
                    message: "the broker did not describe topic \(name)",
                    isRetriable: true
                )
            }
            guard topic.errorCode.isSuccess else {
                var error = KafkaError.broker(topic.errorCode, "metadata for topic \(name)")
                if topic.errorCode == .unknownTopicOrPartition { error.code = .unknownTopicOrPartition }
                throw error
            }
            guard topic.isUsable else {
                throw KafkaError(
                    code: .broker,
                    message: "topic \(name) has partitions without a leader",
                    brokerErrorCode: .leaderNotAvailable,
                    isRetriable: true
                )
            }
            return topic
        }
    }

    /// Runs `body` until it succeeds, fails with a non-retriable error, or the operation timeout
    /// passes; pauses with exponential backoff between attempts.
    func withRetries<T: Sendable>(
        _ what: String,
        deadline: ContinuousClock.Instant? = nil,
        _ body: () async throws -> T
    ) async throws -> T {
        let deadline = deadline ?? .now + self.configuration.operationTimeout
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await body()
            } catch {
                let wrapped = KafkaError.wrapping(error, what)
                let pause = self.configuration.backoff(attempt: attempt)
                guard wrapped.isRetriable, ContinuousClock.now + pause < deadline,
                    !self.state.withLockedValue({ $0.isShutDown })
                else { throw wrapped }
                self.logger.debug(
                    "retrying",
                    metadata: ["kafka.operation": "\(what)", "kafka.attempt": "\(attempt)", "error": "\(wrapped)"]
                )
                try await Task.sleep(for: pause)
            }
        }
    }
}
