import Bridge
import BrokerCore
import KafkaClient
import MQTTCodec
import NIOCore
import Testing

/// What `forward` decides without a Kafka broker: which mappings match, and the failures it
/// reports before anything is sent.
@Suite struct BridgeForwardTests {
    private func bridge(_ mappings: [BridgeMappingSettings]) throws -> MQTTKafkaBridge {
        // Port 9 (discard) on loopback: nothing is sent in these tests.
        let producer = KafkaProducerConfiguration(bootstrapServers: [KafkaBrokerAddress(host: "127.0.0.1", port: 9)])
        return try MQTTKafkaBridge(clusters: [BridgeCluster(name: "main", producer: producer)], mappings: mappings)
    }

    private func message(_ topic: String) -> ApplicationMessage {
        ApplicationMessage(topic: topic, payload: ByteBuffer(string: "p"), qos: .atLeastOnce, retain: false)
    }

    @Test func everyMatchingMappingCounts() throws {
        let bridge = try bridge([
            BridgeMappingSettings(
                name: "gen",
                cluster: "main",
                mqttTopicFilters: ["site/+/generator/#"],
                kafkaTopic: "gen"
            ),
            BridgeMappingSettings(name: "all", cluster: "main", mqttTopicFilters: ["site/#"], kafkaTopic: "all"),
            BridgeMappingSettings(name: "other", cluster: "main", mqttTopicFilters: ["meter/+"], kafkaTopic: "m"),
        ])
        let publisher = BridgePublisher(clientID: "c", username: nil)
        #expect(bridge.forward(message("site/1/generator/2"), from: publisher, completion: nil) == 2)
        #expect(bridge.forward(message("site/1/meter"), from: publisher, completion: nil) == 1)
        #expect(bridge.forward(message("elsewhere"), from: publisher, completion: nil) == 0)
        #expect(bridge.statistics.map(\.matched) == [1, 2, 0])
    }

    @Test func aTemplateThatMakesAnIllegalKafkaTopicFailsTheMessage() async throws {
        let bridge = try bridge([
            BridgeMappingSettings(
                name: "per-device",
                cluster: "main",
                mqttTopicFilters: ["d/+"],
                kafkaTopic: "dev-${topic[1]}"
            )
        ])
        let failure: BridgeFailure? = await withCheckedContinuation { continuation in
            let matched = bridge.forward(message("d/has space"), from: BridgePublisher(clientID: "c", username: nil)) {
                result in
                if case .failure(let failure) = result {
                    continuation.resume(returning: failure)
                } else {
                    continuation.resume(returning: nil)
                }
            }
            #expect(matched == 1)
        }
        #expect(failure?.reasonCode == .unspecifiedError)
        #expect(failure?.detail.contains("dev-has space") == true)
        #expect(bridge.statistics.first?.failed == 1)
    }

    @Test func anUnknownClusterOrABadTemplateIsAConfigurationError() {
        #expect(throws: BridgeConfigurationError.self) {
            try bridge([BridgeMappingSettings(name: "x", cluster: "nope", mqttTopicFilters: ["a"], kafkaTopic: "t")])
        }
        #expect(throws: BridgeConfigurationError.self) {
            try bridge([
                BridgeMappingSettings(name: "x", cluster: "main", mqttTopicFilters: ["a"], kafkaTopic: "${what}")
            ])
        }
        #expect(throws: BridgeConfigurationError.self) {
            try bridge([BridgeMappingSettings(name: "x", cluster: "main", mqttTopicFilters: ["a/#/b"], kafkaTopic: "t")]
            )
        }
    }
}
