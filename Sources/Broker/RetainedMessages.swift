import BrokerCore
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Store

/// The retained message of every topic that has one (MQTT 5.0 §3.3.1.3).
///
/// With a durable store every change is written there too, under the tree's write lock so two
/// publishers on one topic reach the store in the order they reached the tree.
final class RetainedMessages: Sendable {
    private let tree = ReadWriteLocked(RetainedMessageTree<ApplicationMessage>())
    private let durableStore: DurableStore?

    init(store: DurableStore?) {
        self.durableStore = store
    }

    /// Stores a message published with RETAIN set: replaces the topic's retained message, or
    /// clears it when the payload is empty (MQTT-3.3.1-5, MQTT-3.3.1-6, MQTT-3.3.1-10/-11).
    /// Returns the store write the publisher's acknowledgement waits for.
    @discardableResult
    func store(_ message: ApplicationMessage) -> StoreTicket {
        let stored: ApplicationMessage? = message.payload.readableBytes == 0 ? nil : message.with(retain: true)
        return tree.withWriteLock { tree in
            tree.set(stored, forTopic: message.topic)
            // `$SYS` values describe this run; the next one publishes its own at start.
            guard let durableStore, !message.topic.hasPrefix("$SYS/") else { return .none }
            if let stored {
                let record = StoredMessage(
                    stored,
                    wallClockMilliseconds: WallClock.milliseconds(),
                    monotonicNow: .now()
                )
                return durableStore.submit(.saveRetained(record))
            }
            return durableStore.submit(.deleteRetained(topic: message.topic))
        }
    }

    /// Puts back the retained messages read from the store, dropping those that expired.
    func restore(_ messages: [StoredMessage], wallClockMilliseconds: Int64, now: NIODeadline) {
        var expired: [StoreOperation] = []
        tree.withWriteLock { tree in
            for record in messages {
                if let message = record.applicationMessage(
                    wallClockMilliseconds: wallClockMilliseconds,
                    monotonicNow: now
                ) {
                    tree.set(message, forTopic: record.topic)
                } else {
                    expired.append(.deleteRetained(topic: record.topic))
                }
            }
        }
        durableStore?.submit(expired)
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
                        durableStore?.submit(.deleteRetained(topic: topic))
                    }
                }
            }
        }
        return result
    }

    var count: Int { tree.withReadLock { $0.count } }
}
