import Bridge
import KafkaClient
import Logging
import TributaryConfiguration

extension Serve {
    /// The MQTT → Kafka bridge of the `kafka:` section, or nil when it has no mappings.
    static func makeBridge(_ kafka: KafkaSettings, logger: Logger) throws -> MQTTKafkaBridge? {
        guard !kafka.mqttToKafka.isEmpty else { return nil }
        let clusters = kafka.clusters.map { cluster in
            var producer = KafkaProducerConfiguration(
                bootstrapServers: cluster.bootstrap.map { KafkaBrokerAddress(host: $0.host, port: $0.port) },
                clientID: cluster.clientID
            )
            // acks=all and idempotence (the defaults) are what `sync` promises. A publisher waits
            // at most this long for its PUBACK while Kafka is unreachable, then gets 0x80.
            producer.deliveryTimeout = .seconds(30)
            return BridgeCluster(name: cluster.name, producer: producer)
        }
        let mappings = kafka.mqttToKafka.map { mapping in
            BridgeMappingSettings(
                name: mapping.name,
                cluster: mapping.cluster,
                mqttTopicFilters: mapping.mqttTopicFilters,
                kafkaTopic: mapping.kafkaTopic,
                key: mapping.key
            )
        }
        return try MQTTKafkaBridge(clusters: clusters, mappings: mappings, logger: logger)
    }
}
