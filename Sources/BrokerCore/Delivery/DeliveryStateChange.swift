/// A change to the part of a session's delivery state the durable store keeps: QoS 1/2
/// deliveries that carry a `storageID`, and the incoming QoS 2 packet identifiers.
public enum DeliveryStateChange: Sendable {
    /// Queued; the delivery carries its `storageID`.
    case queued(Delivery)
    /// Sent (or its QoS 2 flow moved on to PUBREL) under `packetID`.
    case movedInFlight(storageID: Int64, packetID: UInt16, phase: InflightDelivery.Phase)
    /// Acknowledged, expired before sending, refused or abandoned: no longer the session's.
    case removed(storageID: Int64)
    case incomingQoS2Received(UInt16)
    /// Received, and a Kafka mapping matched it: until `.incomingQoS2Forwarded`, a restart
    /// must not take a re-sent PUBLISH with this identifier for one Kafka already has.
    case incomingQoS2ReceivedAwaitingKafka(UInt16)
    /// Kafka (or the spool) has the message received under this identifier.
    case incomingQoS2Forwarded(UInt16)
    case incomingQoS2Released(UInt16)

    /// `.removed` for a stored delivery; nil for one that is not stored.
    static func finished(storageID: Int64?) -> DeliveryStateChange? {
        storageID.map { .removed(storageID: $0) }
    }

    /// `.movedInFlight` for a stored delivery; nil for one that is not stored.
    static func inflight(storageID: Int64?, packetID: UInt16, phase: InflightDelivery.Phase) -> DeliveryStateChange? {
        storageID.map { .movedInFlight(storageID: $0, packetID: packetID, phase: phase) }
    }
}
