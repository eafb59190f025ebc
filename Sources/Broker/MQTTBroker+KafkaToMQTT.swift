import Bridge
import BrokerCore
import NIOConcurrencyHelpers

extension MQTTBroker: KafkaToMQTTDestination {
    /// Routes a message of the Kafka → MQTT bridge like a local publish: online subscribers,
    /// offline persistent sessions (queued durably), the retained store when RETAIN is set. ACLs
    /// do not apply to the bridge as publisher; each subscriber's delivery rules do.
    ///
    /// `completion` is called once every matching session took the message (`HandOff`): QoS 0
    /// taken for writing, QoS 1 PUBACK, QoS 2 PUBREC, or the delivery durable in a persistent
    /// session's stored queue; and, with RETAIN, once the retained message is durable.
    /// `HandOff.Outcome.reachedNobody` says no session took it and it was not retained.
    public func publishFromBridge(
        _ message: ApplicationMessage,
        completion: @escaping @Sendable (HandOff.Outcome) -> Void
    ) {
        context.publishFromBridge(message, completion: completion)
    }
}

extension MQTTBroker {
    /// Publishes the counters of these Kafka → MQTT mappings in `$SYS/broker/bridge/<name>/...`.
    public func reportStatistics(of bridges: [KafkaToMQTTBridge]) {
        context.kafkaToMQTT.withLockedValue { $0 += bridges }
    }
}
