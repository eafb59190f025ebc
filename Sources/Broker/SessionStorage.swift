import BrokerCore
import Foundation
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Store

// How a session mirrors itself into the durable store. Every function here runs with the
// session's lock held, so the store receives one session's changes in the order they happened.
//
// What is stored: persistent sessions (expiry > 0) with their subscriptions, their QoS 1/2
// deliveries (queued and in flight, with packet identifiers and phases) and the QoS 2 packet
// identifiers the client sent that await PUBREL. QoS 0 messages and sessions that end with their
// connection live in memory only: nothing is promised about them across a crash.

extension Session {
    /// A connection attached with `expiryInterval`: the session is stored from now on, or its
    /// stored record goes when the client now asks for a session that ends with the connection.
    func storeAttach(expiryInterval: UInt32) -> StoreTicket {
        guard let store else { return .none }
        if expiryInterval > 0 {
            isStored = true
            hasStoredRecord = true
            delivery.recordsChanges = true
            return store.submit(.saveSession(clientID: clientID, expiryInterval: expiryInterval, disconnectedAt: nil))
        }
        isStored = false
        delivery.recordsChanges = false
        guard hasStoredRecord else { return .none }
        hasStoredRecord = false
        return store.submit(.deleteSession(clientID: clientID))
    }

    /// The client went away: the expiry counts from now, across restarts too.
    func storeDetach() {
        guard isStored, expiryInterval > 0, let store else { return }
        store.submit(
            .saveSession(clientID: clientID, expiryInterval: expiryInterval, disconnectedAt: WallClock.milliseconds())
        )
    }

    /// DISCONNECT changed the Session Expiry Interval.
    func storeExpiryChange() {
        guard isStored, expiryInterval > 0, let store else { return }
        store.submit(.saveSession(clientID: clientID, expiryInterval: expiryInterval, disconnectedAt: nil))
    }

    func storeEnd() {
        isStored = false
        delivery.recordsChanges = false
        guard hasStoredRecord, let store else { return }
        hasStoredRecord = false
        store.submit(.deleteSession(clientID: clientID))
    }

    /// Writes what the delivery state recorded since the last call.
    func submitDeliveryChanges() -> StoreTicket {
        guard isStored, let store else { return .none }
        let changes = delivery.takeChanges()
        guard !changes.isEmpty else { return .none }
        var operations: [StoreOperation] = []
        operations.reserveCapacity(changes.count)
        for change in changes {
            switch change {
            case .queued(let queued):
                operations.append(.queueDelivery(clientID: clientID, queued))
            case .movedInFlight(let id, let packetID, let phase):
                operations.append(.markInflight(id: id, packetID: packetID, phase: StoredDelivery.Phase(phase)))
            case .removed(let id):
                operations.append(.deleteDelivery(id: id))
            case .incomingQoS2Received(let packetID):
                operations.append(.insertIncomingQoS2(clientID: clientID, packetID: packetID))
            case .incomingQoS2ReceivedAwaitingKafka(let packetID):
                operations.append(.insertIncomingQoS2AwaitingKafka(clientID: clientID, packetID: packetID))
            case .incomingQoS2Forwarded(let packetID):
                operations.append(.markIncomingQoS2Forwarded(clientID: clientID, packetID: packetID))
            case .incomingQoS2Released(let packetID):
                operations.append(.deleteIncomingQoS2(clientID: clientID, packetID: packetID))
            }
        }
        return store.submit(operations)
    }

    /// A SUBSCRIBE added or replaced a subscription; SUBACK waits for the returned ticket.
    func storeSubscription(_ filter: TopicFilter, options: SubscriptionOptions, identifier: UInt32?) -> StoreTicket {
        lock.withLock {
            guard isStored, let store else { return .none }
            let subscription = StoredSubscription(filter: filter.raw, options: options, identifier: identifier)
            return store.submit(.saveSubscription(clientID: clientID, subscription))
        }
    }

    /// An UNSUBSCRIBE removed a subscription; UNSUBACK waits for the returned ticket.
    func storeUnsubscription(_ filter: TopicFilter) -> StoreTicket {
        lock.withLock {
            guard isStored, let store else { return .none }
            return store.submit(.deleteSubscription(clientID: clientID, filter: filter.raw))
        }
    }
}

/// Wall-clock time, which is what survives a restart (the monotonic clock starts again).
enum WallClock {
    static func milliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1_000).rounded())
    }
}
