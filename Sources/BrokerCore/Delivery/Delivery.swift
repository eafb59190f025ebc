import MQTTCodec

/// One message on its way to one session: the shared message plus what this subscription
/// made of it.
public struct Delivery: Sendable {
    public var message: ApplicationMessage
    /// min(published QoS, subscription QoS) (MQTT 5.0 §3.8.4).
    public var qos: QoS
    /// The RETAIN flag to send: as published when the subscription asked for Retain As
    /// Published, set for retained messages sent because of a SUBSCRIBE, clear otherwise
    /// (MQTT-3.3.1-9, MQTT-3.3.1-12/-13).
    public var retain: Bool
    /// Identifiers of the matching subscriptions (MQTT-3.3.4-3).
    public var subscriptionIdentifiers: [UInt32]
    /// The shared subscription this delivery was chosen for, so an unacknowledged delivery can
    /// be given to another member when this session ends (MQTT 5.0 §4.8.2).
    public var sharedGroup: SharedGroupKey?
    /// The row that keeps this delivery in the durable store; set for QoS 1/2 deliveries to
    /// persistent sessions, nil for everything that lives in memory only.
    public var storageID: Int64?
    /// Set on deliveries of the Kafka → MQTT bridge until the session took the message over
    /// (see `HandOff`); nil for every other delivery.
    public var handOff: HandOff?

    public init(
        message: ApplicationMessage,
        qos: QoS,
        retain: Bool,
        subscriptionIdentifiers: [UInt32] = [],
        sharedGroup: SharedGroupKey? = nil
    ) {
        self.message = message
        self.qos = qos
        self.retain = retain
        self.subscriptionIdentifiers = subscriptionIdentifiers
        self.sharedGroup = sharedGroup
    }
}
