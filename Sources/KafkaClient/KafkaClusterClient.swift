import KafkaProtocol
import Logging
import NIOCore
import NIOPosix

/// A client for one Kafka cluster: topic administration and reading partitions.
///
/// It holds one connection per broker, opened on first use. Operations retry retriable
/// failures with backoff (refreshing metadata when the error calls for it) until
/// ``KafkaClientConfiguration/operationTimeout``. Call ``shutdown()`` when done.
public final class KafkaClusterClient: Sendable {
    let cluster: KafkaCluster

    /// Creates a client; no connection is made until the first operation.
    public init(
        configuration: KafkaClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "tributary.kafka")
    ) throws {
        self.cluster = try KafkaCluster(configuration: configuration, group: eventLoopGroup, logger: logger)
    }

    /// Closes every connection.
    public func shutdown() {
        self.cluster.shutdown()
    }

    /// The topics the cluster has (internal ones included), sorted by name.
    public func listTopics() async throws -> [KafkaTopicDescription] {
        let metadata = try await self.cluster.withRetries("listing topics") {
            try await self.cluster.refreshMetadata(topics: nil)
        }
        return metadata.topics.values.map(KafkaTopicDescription.init).sorted { $0.name < $1.name }
    }

    /// Describes one topic (waiting, within the operation timeout, until every partition has a
    /// leader). Throws ``KafkaError/Code/unknownTopicOrPartition`` when it does not exist.
    public func describeTopic(_ name: String) async throws -> KafkaTopicDescription {
        KafkaTopicDescription(try await self.cluster.topic(name))
    }

    /// Creates a topic, then waits until the cluster's metadata shows a leader for each partition.
    ///
    /// - Parameters:
    ///   - partitions: the number of partitions (-1: the broker's `num.partitions`).
    ///   - replicationFactor: copies of each partition (-1: the broker's `default.replication.factor`).
    ///   - configs: topic settings such as `retention.ms`.
    public func createTopic(
        _ name: String,
        partitions: Int32 = -1,
        replicationFactor: Int16 = -1,
        configs: [String: String] = [:]
    ) async throws {
        let request = CreateTopicsRequest(
            topics: [
                .init(
                    name: name,
                    numPartitions: partitions,
                    replicationFactor: replicationFactor,
                    configs: configs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) }
                )
            ],
            timeoutMs: self.cluster.configuration.requestTimeout.milliseconds
        )
        try await self.cluster.withRetries("creating topic \(name)") {
            let response = try await self.controllerConnection().send(request)
            guard let result = response.topics.first(where: { $0.name == name }) else {
                throw KafkaError(code: .protocolViolation, message: "CreateTopics answer does not mention \(name)")
            }
            guard result.errorCode.isSuccess else {
                if result.errorCode == .notController { _ = try? await self.cluster.refreshMetadata(topics: []) }
                throw KafkaError.broker(
                    result.errorCode,
                    "creating topic \(name)\(result.errorMessage.map { ": \($0)" } ?? "")"
                )
            }
        }
        _ = try await self.cluster.topic(name)
    }

    /// Deletes a topic. Throws ``KafkaError/Code/broker`` with UNKNOWN_TOPIC_OR_PARTITION when
    /// it does not exist.
    public func deleteTopic(_ name: String) async throws {
        let request = DeleteTopicsRequest(
            topicNames: [name],
            timeoutMs: self.cluster.configuration.requestTimeout.milliseconds
        )
        try await self.cluster.withRetries("deleting topic \(name)") {
            let response = try await self.controllerConnection().send(request)
            guard let result = response.responses.first(where: { $0.name == name }) ?? response.responses.first
            else {
                throw KafkaError(code: .protocolViolation, message: "DeleteTopics answer does not mention \(name)")
            }
            guard result.errorCode.isSuccess else {
                if result.errorCode == .notController { _ = try? await self.cluster.refreshMetadata(topics: []) }
                var error = KafkaError.broker(result.errorCode, "deleting topic \(name)")
                // "Unknown topic" is final for a delete, whatever the error table says.
                if result.errorCode == .unknownTopicOrPartition { error.isRetriable = false }
                throw error
            }
        }
    }

    /// Admin requests go to the controller (KIP-4); any broker forwards them in KRaft clusters.
    private func controllerConnection() async throws -> KafkaBrokerConnection {
        let controller = self.cluster.metadata.controllerID
        if controller >= 0, let connection = try? await self.cluster.connection(to: controller) {
            return connection
        }
        let metadata = try await self.cluster.refreshMetadata(topics: [])
        if metadata.controllerID >= 0 {
            return try await self.cluster.connection(to: metadata.controllerID)
        }
        return try await self.cluster.anyConnection()
    }
}
