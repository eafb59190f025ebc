import ArgumentParser
import Bridge
import Broker
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import MQTTCodec
import Store
import TributaryConfiguration

extension Serve {
    /// The MQTT → Kafka bridge of the `kafka:` section, or nil when it has no mappings.
    ///
    /// - Parameter store: the broker's store, which holds the spool and the dead letters.
    static func makeBridge(_ kafka: KafkaSettings, store: DurableStore?, logger: Logger) throws -> MQTTKafkaBridge? {
        guard !kafka.mqttToKafka.isEmpty else { return nil }
        let clusters = kafka.clusters.map { cluster in
            // acks=all and idempotence (the defaults) are what `sync` promises. Each mapping sets
            // the delivery timeout from its `on-kafka-unavailable` and `unavailable-after-ms`.
            let producer = KafkaProducerConfiguration(
                bootstrapServers: cluster.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) },
                clientID: cluster.clientID
            )
            return BridgeCluster(name: cluster.name, producer: producer)
        }
        let mappings = kafka.mqttToKafka.map { mapping in
            BridgeMappingSettings(
                name: mapping.name,
                cluster: mapping.cluster,
                mqttTopicFilters: mapping.mqttTopicFilters,
                kafkaTopic: mapping.kafkaTopic,
                key: mapping.key,
                headers: mapping.headers,
                producer: producerOverrides(of: mapping),
                mode: mapping.mode == .async ? .async : .sync,
                onKafkaUnavailable: mapping.onKafkaUnavailable == .spool ? .spool : .reject,
                unavailableAfter: .milliseconds(mapping.unavailableAfterMilliseconds),
                spoolMaximumRecords: mapping.spoolMaximumRecords,
                spoolMaximumBytes: mapping.spoolMaximumBytes,
                deadLetterTopic: mapping.deadLetterTopic
            )
        }
        return try MQTTKafkaBridge(clusters: clusters, mappings: mappings, store: store, logger: logger)
    }

    private static func producerOverrides(of mapping: KafkaSettings.MQTTToKafkaMapping) -> ProducerOverrides {
        var overrides = ProducerOverrides()
        switch mapping.acks {
        case .none?: overrides.acks = KafkaProducerConfiguration.Acks.none
        case .leader?: overrides.acks = .leader
        case .all?: overrides.acks = .all
        case nil: break
        }
        switch mapping.compression {
        case .none?: overrides.compression = .uncompressed
        case .gzip?: overrides.compression = .gzip
        case .snappy?: overrides.compression = .snappy
        case .lz4?: overrides.compression = .lz4
        case .zstd?: overrides.compression = .zstd
        case nil: break
        }
        overrides.linger = mapping.lingerMilliseconds.map { .milliseconds($0) }
        overrides.idempotent = mapping.idempotence
        overrides.autoCreatePartitions = mapping.autoCreatePartitions.map { Int32($0) }
        return overrides
    }
}

extension Serve {
    /// One service per `kafka.kafka-to-mqtt` mapping, delivering into `broker`; records that
    /// reach nobody go to the store's dead-letter table (`tributary dead-letters`).
    static func makeKafkaToMQTT(
        _ kafka: KafkaSettings,
        broker: MQTTBroker,
        store: DurableStore?,
        logger: Logger
    ) throws -> [KafkaToMQTTBridge] {
        let deadLetter = kafkaToMQTTDeadLetters(store: store, logger: logger)
        return try kafka.kafkaToMQTT.map { mapping in
            guard let cluster = kafka.clusters.first(where: { $0.name == mapping.cluster }) else {
                // The configuration parser checked this already.
                throw ValidationError("mapping \(mapping.name): no Kafka cluster named \"\(mapping.cluster)\"")
            }
            let client = KafkaClientConfiguration(
                bootstrapServers: cluster.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) },
                clientID: cluster.clientID
            )
            let settings = KafkaToMQTTSettings(
                name: mapping.name,
                cluster: mapping.cluster,
                topics: mapping.kafkaTopicPattern.map { .pattern($0) } ?? .list(mapping.kafkaTopics),
                groupID: mapping.groupID,
                mqttTopic: mapping.mqttTopic,
                qos: QoS(rawValue: UInt8(mapping.qos)) ?? .atLeastOnce,
                retain: mapping.retain,
                contentType: mapping.contentType,
                userPropertiesFromHeaders: mapping.userPropertiesFromHeaders,
                messageExpirySeconds: mapping.messageExpirySeconds.map { UInt32($0) },
                commitInterval: .milliseconds(mapping.commitIntervalMilliseconds),
                commitRecords: mapping.commitRecords,
                maximumInFlight: mapping.maximumInFlight,
                startFromEarliest: mapping.autoOffsetReset == .earliest,
                sessionTimeout: .milliseconds(mapping.sessionTimeoutMilliseconds)
            )
            return try KafkaToMQTTBridge(
                settings: settings,
                client: client,
                destination: broker,
                deadLetter: deadLetter,
                logger: logger
            )
        }
    }

    /// Keeps a Kafka → MQTT dead letter in the store's `dead_letters` table and returns once it is
    /// durable, so its offset is committed only then. nil without a data directory: the bridge
    /// counts and logs such records.
    private static func kafkaToMQTTDeadLetters(
        store: DurableStore?,
        logger: Logger
    ) -> (@Sendable (KafkaToMQTTDeadLetter) async -> Void)? {
        guard let store else { return nil }
        return { letter in
            let record = DeadLetter(
                mapping: letter.mapping,
                reason: "\(letter.reason.rawValue): \(letter.detail)",
                mqttTopic: letter.mqttTopic,
                kafkaTopic: letter.record.topicPartition.topic,
                key: letter.record.key,
                value: letter.record.value
            )
            if case .failure(let error) = await store.committed(store.submit(.insertDeadLetter(record))) {
                logger.error(
                    "could not store a dead letter",
                    metadata: ["mapping": "\(letter.mapping)", "error": "\(error)"]
                )
            }
        }
    }
}
