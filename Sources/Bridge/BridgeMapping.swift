import BrokerCore
import KafkaClient
import MQTTCodec
import NIOCore

/// A mapping ready to use: parsed filters and templates, and the index of its cluster.
struct BridgeMapping: Sendable {
    let name: String
    let clusterIndex: Int
    /// The producer (and its sender) of this mapping's cluster and producer settings.
    let dispatcherIndex: Int
    let filters: [TopicFilter]
    let topic: BridgeTemplate
    let key: BridgeTemplate?
    let headers: Bool

    init(_ settings: BridgeMappingSettings, clusterIndex: Int, dispatcherIndex: Int) throws(BridgeConfigurationError) {
        self.name = settings.name
        self.clusterIndex = clusterIndex
        self.dispatcherIndex = dispatcherIndex
        self.headers = settings.headers
        var filters: [TopicFilter] = []
        for raw in settings.mqttTopicFilters {
            do {
                filters.append(try TopicFilter(parsing: raw))
            } catch {
                throw BridgeConfigurationError(
                    description: "mapping \(settings.name): bad MQTT topic filter \"\(raw)\": \(error)"
                )
            }
        }
        guard !filters.isEmpty else {
            throw BridgeConfigurationError(description: "mapping \(settings.name): no mqtt-topic-filters")
        }
        self.filters = filters
        do {
            self.topic = try BridgeTemplate(parsing: settings.kafkaTopic)
            self.key = try settings.key.map { try BridgeTemplate(parsing: $0) }
        } catch {
            throw BridgeConfigurationError(description: "mapping \(settings.name): \(error)")
        }
    }

    func matches(_ topic: String) -> Bool {
        filters.contains { $0.matches(topicName: topic) }
    }

    /// The Kafka record for `message`: topic and key from the templates, the payload unchanged
    /// as value, the arrival time as timestamp, the MQTT metadata as headers.
    func record(
        for message: ApplicationMessage,
        from publisher: BridgePublisher,
        timestamp: Int64
    ) -> Result<KafkaProducerMessage, BridgeFailure> {
        let needsPayload = topic.readsPayload || (key?.readsPayload ?? false)
        let values = BridgeTemplate.Values(
            topic: message.topic,
            clientID: publisher.clientID,
            username: publisher.username,
            payload: needsPayload ? Array(message.payload.readableBytesView) : []
        )
        let kafkaTopic = topic.render(values)
        if let problem = KafkaTopicName.problem(with: kafkaTopic) {
            return .failure(BridgeFailure(reasonCode: .unspecifiedError, mapping: name, detail: problem))
        }
        let keyText = key.map { $0.render(values) } ?? message.topic
        return .success(
            KafkaProducerMessage(
                topic: kafkaTopic,
                key: ByteBuffer(string: keyText),
                value: message.payload,
                headers: headers ? BridgeHeaders.headers(for: message, publisher: publisher) : [],
                timestamp: timestamp
            )
        )
    }

    /// What goes to the dead letters when the templates cannot build a record (a bad Kafka topic
    /// name): the payload as value, the MQTT topic as key, the metadata as headers.
    func unbuildableRecord(
        for message: ApplicationMessage,
        from publisher: BridgePublisher,
        timestamp: Int64
    ) -> KafkaProducerMessage {
        KafkaProducerMessage(
            topic: "",
            key: ByteBuffer(string: message.topic),
            value: message.payload,
            headers: BridgeHeaders.headers(for: message, publisher: publisher),
            timestamp: timestamp
        )
    }
}
