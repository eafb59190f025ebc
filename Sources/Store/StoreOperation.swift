import BrokerCore

/// One change to the durable state. The broker submits them in the order the changes happened
/// (each session's under its lock), and the writer applies them in that order.
public enum StoreOperation: Sendable {
    /// A persistent session exists (or its expiry changed); `disconnectedAt` (Unix ms) is nil while
    /// a client is connected.
    case saveSession(clientID: String, expiryInterval: UInt32, disconnectedAt: Int64?)
    /// The session ended: it goes with its subscriptions, deliveries and QoS 2 state.
    case deleteSession(clientID: String)
    case saveSubscription(clientID: String, StoredSubscription)
    case deleteSubscription(clientID: String, filter: String)
    /// A QoS 1/2 message was queued for a persistent session.
    case insertDelivery(clientID: String, StoredDelivery)
    /// The same for a delivery as the broker holds it (it carries its `storageID`). It is turned
    /// into a row on the writer's thread, and only if it is still there at the end of the batch:
    /// a message an online subscriber acknowledged meanwhile costs the publisher nothing.
    case queueDelivery(clientID: String, Delivery)
    /// A queued delivery was sent, or its QoS 2 flow moved on.
    case markInflight(id: Int64, packetID: UInt16, phase: StoredDelivery.Phase)
    /// A delivery was acknowledged, expired or abandoned.
    case deleteDelivery(id: Int64)
    /// A QoS 2 PUBLISH from the client was received: PUBREC sent, PUBREL outstanding.
    case insertIncomingQoS2(clientID: String, packetID: UInt16)
    case deleteIncomingQoS2(clientID: String, packetID: UInt16)
    /// The same as `insertIncomingQoS2`, for a message a Kafka mapping matched: marked as not
    /// yet in Kafka until `markIncomingQoS2Forwarded`.
    case insertIncomingQoS2AwaitingKafka(clientID: String, packetID: UInt16)
    case markIncomingQoS2Forwarded(clientID: String, packetID: UInt16)
    case saveRetained(StoredMessage)
    case deleteRetained(topic: String)
    /// A Kafka record entered the MQTT → Kafka spool.
    case insertSpooled(SpooledRecord)
    /// Kafka acknowledged a spooled record (or it was dead-lettered).
    case deleteSpooled(sequence: Int64)
    case insertDeadLetter(DeadLetter)
}

/// What the store held when it was opened.
public struct RecoveredState: Sendable {
    public var sessions: [RecoveredSession] = []
    public var retained: [StoredMessage] = []

    public init() {}
}

/// One persistent session read back from the store.
public struct RecoveredSession: Sendable {
    public var clientID: String
    public var expiryInterval: UInt32
    /// Unix ms when its client disconnected; nil when it was connected when the broker stopped.
    public var disconnectedAt: Int64?
    public var subscriptions: [StoredSubscription] = []
    /// Queued and in-flight deliveries in queue order.
    public var deliveries: [StoredDelivery] = []
    public var incomingQoS2: [UInt16] = []
    /// Identifiers whose message Kafka had not acknowledged when the broker stopped.
    public var incomingQoS2AwaitingKafka: [UInt16] = []

    public init(clientID: String, expiryInterval: UInt32, disconnectedAt: Int64?) {
        self.clientID = clientID
        self.expiryInterval = expiryInterval
        self.disconnectedAt = disconnectedAt
    }
}
