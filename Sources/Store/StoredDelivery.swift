import BrokerCore
import MQTTCodec
import NIOCore

/// One QoS 1/2 message on its way to one persistent session, as the store keeps it.
public struct StoredDelivery: Sendable, Hashable {
    /// Where an in-flight delivery stands; nil phase means still queued.
    public enum Phase: UInt8, Sendable, Hashable {
        case awaitingPuback = 1
        case awaitingPubrec = 2
        case awaitingPubcomp = 3

        public init(_ phase: InflightDelivery.Phase) {
            switch phase {
            case .awaitingPuback: self = .awaitingPuback
            case .awaitingPubrec: self = .awaitingPubrec
            case .awaitingPubcomp: self = .awaitingPubcomp
            }
        }

        public var inflightPhase: InflightDelivery.Phase {
            switch self {
            case .awaitingPuback: .awaitingPuback
            case .awaitingPubrec: .awaitingPubrec
            case .awaitingPubcomp: .awaitingPubcomp
            }
        }
    }

    /// `Delivery.storageID`: increasing in queue order, so it also orders the recovered queue.
    public var id: Int64
    public var message: StoredMessage
    public var qos: UInt8
    public var retain: Bool
    public var subscriptionIdentifiers: [UInt32]
    public var sharedGroup: SharedGroupKey?
    /// Set once the delivery is in flight.
    public var packetID: UInt16?
    public var phase: Phase?

    public init(
        id: Int64,
        message: StoredMessage,
        qos: UInt8,
        retain: Bool,
        subscriptionIdentifiers: [UInt32],
        sharedGroup: SharedGroupKey?,
        packetID: UInt16? = nil,
        phase: Phase? = nil
    ) {
        self.id = id
        self.message = message
        self.qos = qos
        self.retain = retain
        self.subscriptionIdentifiers = subscriptionIdentifiers
        self.sharedGroup = sharedGroup
        self.packetID = packetID
        self.phase = phase
    }

    /// A delivery that has a `storageID`.
    public init?(_ delivery: Delivery, wallClockMilliseconds: Int64, monotonicNow: NIODeadline) {
        guard let id = delivery.storageID else { return nil }
        self.init(
            id: id,
            message: StoredMessage(
                delivery.message,
                wallClockMilliseconds: wallClockMilliseconds,
                monotonicNow: monotonicNow
            ),
            qos: delivery.qos.rawValue,
            retain: delivery.retain,
            subscriptionIdentifiers: delivery.subscriptionIdentifiers,
            sharedGroup: delivery.sharedGroup
        )
    }

    /// The delivery again; nil when its message expired while stored (and was never sent).
    public func delivery(wallClockMilliseconds: Int64, monotonicNow: NIODeadline) -> Delivery? {
        guard let qos = QoS(rawValue: qos) else { return nil }
        var message = self.message.applicationMessage(
            wallClockMilliseconds: wallClockMilliseconds,
            monotonicNow: monotonicNow
        )
        if message == nil, phase != nil {
            // Already in flight when it expired: it must still be completed (MQTT-3.3.2-5 only
            // drops copies not yet sent), so it comes back with its expiry cleared to the minimum.
            var unexpired = self.message
            unexpired.expiresAt = wallClockMilliseconds + 1_000
            message = unexpired.applicationMessage(
                wallClockMilliseconds: wallClockMilliseconds,
                monotonicNow: monotonicNow
            )
        }
        guard let message else { return nil }
        var delivery = Delivery(
            message: message,
            qos: qos,
            retain: retain,
            subscriptionIdentifiers: subscriptionIdentifiers,
            sharedGroup: sharedGroup
        )
        delivery.storageID = id
        return delivery
    }
}

/// A subscription of a persistent session.
public struct StoredSubscription: Sendable, Hashable {
    /// The filter exactly as subscribed, `$share/...` prefix included.
    public var filter: String
    public var options: SubscriptionOptions
    public var identifier: UInt32?

    public init(filter: String, options: SubscriptionOptions, identifier: UInt32?) {
        self.filter = filter
        self.options = options
        self.identifier = identifier
    }

    /// The options as the SUBSCRIBE packet's options byte (MQTT 5.0 §3.8.3.1).
    var optionsByte: UInt8 {
        options.qos.rawValue | (options.noLocal ? 0x04 : 0) | (options.retainAsPublished ? 0x08 : 0)
            | (options.retainHandling.rawValue << 4)
    }

    static func options(from byte: UInt8) -> SubscriptionOptions? {
        guard let qos = QoS(rawValue: byte & 0x03), let handling = RetainHandling(rawValue: (byte >> 4) & 0x03) else {
            return nil
        }
        return SubscriptionOptions(
            qos: qos,
            noLocal: byte & 0x04 != 0,
            retainAsPublished: byte & 0x08 != 0,
            retainHandling: handling
        )
    }
}
