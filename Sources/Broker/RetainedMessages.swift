import BrokerCore
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore

/// The retained message of every topic that has one (MQTT 5.0 §3.3.1.3).
final class RetainedMessages: Sendable {
    private let tree = ReadWriteLocked(RetainedMessageTree<ApplicationMessage>())

    /// Stores a message published with RETAIN set: replaces the topic's retained message, or
    /// clears it when the payload is empty (MQTT-3.3.1-5, MQTT-3.3.1-6, MQTT-3.3.1-10/-11).
    func store(_ message: ApplicationMessage) {
        let stored: ApplicationMessage? = message.payload.readableBytes == 0 ? nil : message.with(retain: true)
        tree.withWriteLock { $0.set(stored, forTopic: message.topic) }
    }

    /// The retained messages matching a new subscription that have not expired.
    func matching(_ filter: TopicFilter, now: NIODeadline) -> [ApplicationMessage] {
        var result: [ApplicationMessage] = []
        var expiredTopics: [String] = []
        tree.withReadLock { tree in
            tree.forEachMatch(of: filter) { topic, message in
                if let expiry = message.expiry, expiry.remainingInterval(at: now) == nil {
                    expiredTopics.append(topic)
                } else {
                    result.append(message)
                }
            }
        }
        if !expiredTopics.isEmpty {
            // An expired retained message is no longer sent (MQTT 5.0 §3.3.2.3.3); drop it.
            tree.withWriteLock { tree in
                for topic in expiredTopics {
                    if let message = tree.message(forTopic: topic), let expiry = message.expiry,
                        expiry.remainingInterval(at: now) == nil
                    {
                        tree.set(nil, forTopic: topic)
                    }
                }
            }
        }
        return result
    }

    var count: Int { tree.withReadLock { $0.count } }
}
