import BrokerCore

/// Where the Kafka → MQTT bridge hands its messages: the broker (`MQTTBroker` conforms; tests
/// use a fake).
public protocol KafkaToMQTTDestination: Sendable {
    /// Routes `message` like a local publish and calls `completion` once, on any thread, when
    /// every matching session took it (see `HandOff`) and a retained copy is durable.
    func publishFromBridge(_ message: ApplicationMessage, completion: @escaping @Sendable (HandOff.Outcome) -> Void)
}
