import KafkaClient
import KafkaProtocol
import Logging

/// Makes sure a record's topic exists before it goes to the producer.
///
/// A producer asked for an unknown topic waits for its metadata until its timeout, and the
/// bridge's sender, which keeps records in order, would wait with it: every other record of the
/// cluster would queue behind one mistyped topic template. So the sender asks once per topic:
/// a known topic passes; a missing one is created when the mapping allows it
/// (`auto-create-partitions`), and otherwise fails its records at once (v5 0x80) for a while
/// before the cluster is asked again.
struct KafkaTopicCheck {
    /// How long a missing topic is remembered before the cluster is asked again.
    static let recheckAfter = Duration.seconds(5)

    let admin: KafkaClusterClient
    /// Partitions of topics created on demand; nil: never create.
    let autoCreatePartitions: Int32?
    let logger: Logger
    private var known: Set<String> = []
    private var missingSince: [String: ContinuousClock.Instant] = [:]

    init(admin: KafkaClusterClient, autoCreatePartitions: Int32?, logger: Logger) {
        self.admin = admin
        self.autoCreatePartitions = autoCreatePartitions
        self.logger = logger
    }

    /// nil when records for `topic` may go to the producer; otherwise why they fail.
    mutating func problem(with topic: String) async -> KafkaError? {
        if known.contains(topic) { return nil }
        let now = ContinuousClock.now
        if let since = missingSince[topic], now - since < Self.recheckAfter {
            return missing(topic)
        }
        do {
            known.formUnion(try await admin.listTopics().map(\.name))
        } catch {
            // Kafka is unreachable: the producer's own retries and timeout decide.
            return nil
        }
        if known.contains(topic) {
            missingSince[topic] = nil
            return nil
        }
        guard let partitions = autoCreatePartitions else {
            missingSince[topic] = now
            logger.warning(
                "a mapping made a record for a Kafka topic that does not exist",
                metadata: ["topic": "\(topic)"]
            )
            return missing(topic)
        }
        do {
            try await admin.createTopic(topic, partitions: partitions)
            logger.info("created Kafka topic", metadata: ["topic": "\(topic)", "partitions": "\(partitions)"])
        } catch let error as KafkaError where error.brokerErrorCode == .topicAlreadyExists {
            // Someone else made it meanwhile.
        } catch let error as KafkaError {
            return error
        } catch {
            return KafkaError(code: .broker, message: "creating topic \(topic): \(error)")
        }
        known.insert(topic)
        missingSince[topic] = nil
        return nil
    }

    private func missing(_ topic: String) -> KafkaError {
        KafkaError(
            code: .unknownTopicOrPartition,
            message: "Kafka has no topic \(topic) and the mapping does not create topics (auto-create-partitions)"
        )
    }
}
