import MQTTCodec

/// An outgoing QoS 1/2 PUBLISH that the client has not finished acknowledging.
public struct InflightDelivery: Sendable {
    /// Where the QoS 1/2 flow stands (MQTT 5.0 §4.3.2, §4.3.3).
    public enum Phase: Sendable, Hashable {
        /// QoS 1 PUBLISH sent, PUBACK outstanding.
        case awaitingPuback
        /// QoS 2 PUBLISH sent, PUBREC outstanding.
        case awaitingPubrec
        /// PUBREC received and PUBREL sent, PUBCOMP outstanding. The client owns the message now.
        case awaitingPubcomp
    }

    public var packetID: UInt16
    public var delivery: Delivery
    public var phase: Phase

    public init(packetID: UInt16, delivery: Delivery, phase: Phase) {
        self.packetID = packetID
        self.delivery = delivery
        self.phase = phase
    }
}

/// A PUBLISH the connection must encode and send now.
public struct OutgoingPublish: Sendable {
    public var delivery: Delivery
    /// Set for QoS 1/2.
    public var packetID: UInt16?
    /// Set when this is a re-delivery after reconnect (MQTT-3.3.1-1).
    public var dup: Bool

    public init(delivery: Delivery, packetID: UInt16?, dup: Bool) {
        self.delivery = delivery
        self.packetID = packetID
        self.dup = dup
    }
}

/// What a reconnecting session resends before anything new (MQTT-4.4.0-1).
public enum Resend: Sendable {
    case publish(OutgoingPublish)
    case pubrel(packetID: UInt16)
}
