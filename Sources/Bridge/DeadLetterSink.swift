import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import Store

/// Where a mapping's records go when Kafka refused them for good (too large, unknown topic with
/// auto-create off, not authorised): the mapping's `dead-letter-topic` on its cluster, with the
/// reason in headers; or, when there is none or it refused the record too, the store's
/// `dead_letters` table. Without a data directory the record is logged and counted only.
final class DeadLetterSink: Sendable {
    /// Header names on records in a dead-letter topic (docs/bridge.md).
    static let reasonHeader = "tributary.dead-letter.reason"
    static let mappingHeader = "tributary.dead-letter.mapping"
    static let topicHeader = "tributary.dead-letter.topic"

    private let mapping: String
    private let topic: String?
    private let dispatcher: ProducerDispatcher
    private let store: DurableStore?
    private let logger: Logger

    init(mapping: String, topic: String?, dispatcher: ProducerDispatcher, store: DurableStore?, logger: Logger) {
        self.mapping = mapping
        self.topic = topic
        self.dispatcher = dispatcher
        self.store = store
        self.logger = logger
    }

    /// Takes a refused record. `completion` runs once it is in the dead-letter topic or table
    /// (or logged, when there is neither).
    func deadLetter(
        _ record: KafkaProducerMessage,
        reason: String,
        completion: @escaping @Sendable () -> Void = {}
    ) {
        logger.warning(
            "record dead-lettered",
            metadata: [
                "mapping": "\(mapping)", "topic": "\(record.topic)", "reason": "\(reason)",
                "destination": "\(topic ?? (store == nil ? "log only (no data-dir)" : "dead_letters table"))",
            ]
        )
        guard let topic, topic != record.topic else {
            storeLocally(record, reason: reason, completion: completion)
            return
        }
        var letter = record
        letter.topic = topic
        letter.partition = nil
        letter.headers += [
            KafkaHeader(key: Self.reasonHeader, value: ByteBuffer(string: reason)),
            KafkaHeader(key: Self.mappingHeader, value: ByteBuffer(string: mapping)),
            KafkaHeader(key: Self.topicHeader, value: ByteBuffer(string: record.topic)),
        ]
        let accepted = dispatcher.submit(
            ProducerDispatcher.Item(record: letter) { [self] result in
                switch result {
                case .success:
                    completion()
                case .failure(let error):
                    storeLocally(record, reason: "\(reason); dead-letter topic \(topic) refused it too: \(error)") {
                        completion()
                    }
                }
            }
        )
        if !accepted {
            storeLocally(
                record,
                reason: "\(reason); the queue to the dead-letter topic was full",
                completion: completion
            )
        }
    }

    private func storeLocally(
        _ record: KafkaProducerMessage,
        reason: String,
        completion: @escaping @Sendable () -> Void
    ) {
        guard let store else {
            completion()
            return
        }
        let mqttTopic = record.headers.first { $0.key == BridgeHeaders.topic }?.value.map { String(buffer: $0) }
        let ticket = store.submit(
            .insertDeadLetter(
                DeadLetter(
                    mapping: mapping,
                    reason: reason,
                    mqttTopic: mqttTopic ?? "",
                    kafkaTopic: record.topic,
                    key: record.key,
                    value: record.value
                )
            )
        )
        store.whenCommitted(ticket) { _ in completion() }
    }
}
