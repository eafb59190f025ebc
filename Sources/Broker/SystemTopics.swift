import Atomics
import Bridge
import BrokerCore
import MQTTCodec
import NIOCore
import Store

/// Publishes the broker's state on `$SYS/broker/...` as retained messages, with the topic names
/// Mosquitto uses where it has one, so existing dashboards work.
///
/// Only values that changed since the last tick are published; a new subscriber gets the
/// current value of every topic from the retained store.
struct SystemTopics {
    static let version = "0.1.0"

    private var lastPublished: [String: String] = [:]

    /// The topics and their current values.
    static func snapshot(of broker: BrokerContext) -> [(topic: String, value: String)] {
        let statistics = broker.statistics
        var topics = [
            ("$SYS/broker/version", "tributary \(version)"),
            ("$SYS/broker/uptime", "\(statistics.uptimeSeconds) seconds"),
            ("$SYS/broker/clients/connected", "\(statistics.connectionsCurrent.current)"),
            ("$SYS/broker/clients/total", "\(broker.sessionCount)"),
            ("$SYS/broker/messages/received", "\(statistics.messagesReceived.current)"),
            ("$SYS/broker/messages/sent", "\(statistics.messagesSent.current)"),
            ("$SYS/broker/messages/dropped", "\(statistics.droppedTotal)"),
            ("$SYS/broker/bytes/received", "\(statistics.bytesReceived.current)"),
            ("$SYS/broker/bytes/sent", "\(statistics.bytesSent.current)"),
            ("$SYS/broker/subscriptions/count", "\(broker.router.subscriptionCount)"),
            ("$SYS/broker/retained messages/count", "\(broker.retained.count)"),
            ("$SYS/broker/messages/dropped/queue-full", "\(statistics.messagesDroppedQueueFull.current)"),
            ("$SYS/broker/limits/max-connections", "\(statistics.connectionsRejected.current)"),
            ("$SYS/broker/limits/max-connection-rate", "\(statistics.limitConnectionRate.current)"),
            ("$SYS/broker/limits/max-packet-size", "\(statistics.limitPacketTooLarge.current)"),
            ("$SYS/broker/limits/max-topic", "\(statistics.limitTopic.current)"),
            ("$SYS/broker/limits/max-publish-rate", "\(statistics.limitPublishRate.current)"),
            ("$SYS/broker/limits/max-queued-per-session", "\(statistics.messagesDroppedQueueFull.current)"),
            ("$SYS/broker/limits/connect-timeout", "\(statistics.limitConnectTimeout.current)"),
            ("$SYS/broker/auth/failures", "\(statistics.authenticationFailures.current)"),
            ("$SYS/broker/acl/denied/publish", "\(statistics.publishesDenied.current)"),
            ("$SYS/broker/acl/denied/subscribe", "\(statistics.subscriptionsDenied.current)"),
            ("$SYS/broker/acl/denied/will", "\(statistics.willsDenied.current)"),
            ("$SYS/broker/acl/denied/delivery", "\(statistics.deliveriesDenied.current)"),
        ]
        if let store = broker.store?.statistics {
            topics += [
                ("$SYS/broker/store/commits", "\(store.commits)"),
                ("$SYS/broker/store/operations", "\(store.operations)"),
                ("$SYS/broker/store/failures", "\(store.failures)"),
            ]
        }
        if let bridge = broker.bridge {
            topics.append(("$SYS/broker/bridge/refused", "\(statistics.bridgeRefusals.current)"))
            topics.append(("$SYS/broker/bridge/spool-pauses", "\(statistics.spoolPauses.current)"))
            for mapping in bridge.statistics {
                let prefix = "$SYS/broker/bridge/\(mapping.name)"
                topics += [
                    ("\(prefix)/matched", "\(mapping.matched)"),
                    ("\(prefix)/acknowledged", "\(mapping.acknowledged)"),
                    ("\(prefix)/failed", "\(mapping.failed)"),
                    ("\(prefix)/refused", "\(mapping.refused)"),
                    ("\(prefix)/latency-ms/p50", "\(mapping.latencyP50Milliseconds)"),
                    ("\(prefix)/latency-ms/p99", "\(mapping.latencyP99Milliseconds)"),
                    ("\(prefix)/dead-lettered", "\(mapping.deadLettered)"),
                ]
                if let spool = mapping.spool {
                    topics += [
                        ("\(prefix)/spool/records", "\(spool.records)"),
                        ("\(prefix)/spool/bytes", "\(spool.bytes)"),
                        ("\(prefix)/spool/oldest-age-seconds", "\(Int(spool.oldestAgeSeconds))"),
                        ("\(prefix)/spool/drain-rate", "\(Int(spool.drainRate))"),
                        ("\(prefix)/spooled", "\(spool.spooled)"),
                        ("\(prefix)/replayed", "\(spool.replayed)"),
                        ("\(prefix)/kafka-available", spool.kafkaAvailable ? "1" : "0"),
                        ("\(prefix)/kafka-state-changes", "\(spool.availabilityChanges)"),
                    ]
                }
            }
        }
        topics += kafkaToMQTTTopics(of: broker)
        return topics
    }

    /// Publishes what changed; returns how many topics were published.
    @discardableResult
    mutating func publishChanges(of broker: BrokerContext) -> Int {
        var published = 0
        for (topic, value) in Self.snapshot(of: broker) where lastPublished[topic] != value {
            lastPublished[topic] = value
            let message = ApplicationMessage(
                topic: topic,
                payload: ByteBuffer(string: value),
                qos: .atMostOnce,
                retain: true
            )
            broker.publish(message)
            published += 1
        }
        return published
    }
}

extension BrokerStatistics {
    var droppedTotal: Int {
        messagesDroppedQueueFull.current + messagesExpired.current + messagesDroppedTooLarge.current
            + messagesDroppedOffline.current
    }
}
