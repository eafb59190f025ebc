import Bridge
import NIOConcurrencyHelpers

extension SystemTopics {
    /// `$SYS/broker/bridge/<mapping>/...` of each Kafka → MQTT mapping (mapping names are unique
    /// across both directions).
    static func kafkaToMQTTTopics(of broker: BrokerContext) -> [(String, String)] {
        var topics: [(String, String)] = []
        for bridge in broker.kafkaToMQTT.withLockedValue({ $0 }) {
            let statistics = bridge.statistics
            let prefix = "$SYS/broker/bridge/\(statistics.name)"
            topics += [
                ("\(prefix)/consumed", "\(statistics.consumed)"),
                ("\(prefix)/delivered", "\(statistics.delivered)"),
                ("\(prefix)/dead-lettered", "\(statistics.deadLettered)"),
                ("\(prefix)/dead-lettered/invalid-topic", "\(statistics.invalidTopic)"),
                ("\(prefix)/dead-lettered/no-subscriber", "\(statistics.noSubscriber)"),
                ("\(prefix)/in-flight", "\(statistics.inFlight)"),
                ("\(prefix)/commits", "\(statistics.commits)"),
                ("\(prefix)/commit-failures", "\(statistics.commitFailures)"),
            ]
            for partition in statistics.partitions {
                let suffix = "\(partition.topic)/\(partition.partition)"
                if let offset = partition.committedOffset {
                    topics.append(("\(prefix)/committed/\(suffix)", "\(offset)"))
                }
                if let lag = partition.lag {
                    topics.append(("\(prefix)/lag/\(suffix)", "\(lag)"))
                }
            }
        }
        return topics
    }
}
