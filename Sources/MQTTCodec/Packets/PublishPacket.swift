import NIOCore

/// PUBLISH: an application message in either direction (MQTT 5.0 §3.3, MQTT 3.1.1 §3.3).
public struct PublishPacket: Sendable, Hashable {
    /// The topic name. Empty in 5.0 when the packet uses an already established Topic Alias.
    public var topic: String
    public var payload: ByteBuffer
    public var qos: QoS
    public var retain: Bool
    /// Set on a re-delivery of a QoS 1/2 PUBLISH (§3.3.1.1); always false at QoS 0.
    public var dup: Bool
    /// Present exactly when `qos` is 1 or 2 (§2.2.1), never 0.
    public var packetID: UInt16?
    public var properties: MQTTProperties

    public init(
        topic: String,
        payload: ByteBuffer,
        qos: QoS = .atMostOnce,
        retain: Bool = false,
        dup: Bool = false,
        packetID: UInt16? = nil,
        properties: MQTTProperties = []
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.dup = dup
        self.packetID = packetID
        self.properties = properties
    }
}
