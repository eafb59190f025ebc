import Atomics
import BrokerCore
import MQTTCodec
import Store

/// Routes messages to sessions through the subscription tree.
///
/// The tree sits behind a reader-writer lock: every PUBLISH matches under the read lock, so
/// publishers on different event loops never wait for each other; SUBSCRIBE, UNSUBSCRIBE and
/// session ends take the write lock briefly. Deliveries are queued after the lock is released.
final class Router: Sendable {
    typealias Match = SubscriptionTree<Session>.Match

    private let tree = ReadWriteLocked(SubscriptionTree<Session>())
    private let statistics: BrokerStatistics

    init(statistics: BrokerStatistics) {
        self.statistics = statistics
    }

    /// Adds or replaces a subscription; returns whether it is new (Retain Handling 1).
    func subscribe(
        _ session: Session,
        to filter: TopicFilter,
        options: SubscriptionOptions,
        identifier: UInt32?
    ) -> Bool {
        tree.withWriteLock { $0.subscribe(session, to: filter, options: options, identifier: identifier) }
    }

    func unsubscribe(_ session: Session, from filter: TopicFilter) -> Bool {
        tree.withWriteLock { $0.unsubscribe(session, from: filter) }
    }

    func removeAll(of session: Session) {
        tree.withWriteLock { $0.removeAll(of: session) }
    }

    var subscriptionCount: Int { tree.withReadLock { $0.count } }

    /// Queues `message` for every matching session and returns how many deliveries were queued.
    /// `matches` is the caller's scratch buffer, reused across calls to avoid an allocation per
    /// message; it is empty again on return. `ticket` is raised to the store write of the
    /// deliveries to stored sessions, which the publisher's acknowledgement waits for.
    /// `handOff` (Kafka → MQTT bridge messages only) is told when each session took the message.
    @discardableResult
    func route(
        _ message: ApplicationMessage,
        publisher: Session?,
        matches: inout [Match],
        ticket: inout StoreTicket,
        handOff: HandOff? = nil
    ) -> Int {
        tree.withReadLock { tree in
            tree.match(topic: message.topic, publisher: publisher, preferring: { $0.isOnline }, into: &matches)
        }
        defer { matches.removeAll(keepingCapacity: true) }
        var queued = 0
        for match in matches {
            var delivery = Delivery(
                message: message,
                qos: min(message.qos, match.qos),
                // MQTT-3.3.1-12/-13: forward RETAIN only when the subscription asked for it.
                retain: match.retainAsPublished && message.retain,
                subscriptionIdentifiers: match.subscriptionIdentifiers,
                sharedGroup: match.sharedGroup
            )
            delivery.handOff = handOff
            if deliver(delivery, to: match.subscriber, ticket: &ticket) { queued += 1 }
        }
        return queued
    }

    /// Gives a delivery of a shared subscription whose session ended to another member of the
    /// group (MQTT 5.0 §4.8.2). Returns false when the group has no other member.
    @discardableResult
    func reroute(_ delivery: Delivery, awayFrom endedSession: Session) -> Bool {
        guard let group = delivery.sharedGroup else { return false }
        let member: Session? = tree.withReadLock { tree in
            tree.sharedGroupMember(group, excluding: endedSession, preferring: { $0.isOnline })
        }
        guard let member else { return false }
        var ticket = StoreTicket.none
        return deliver(delivery, to: member, ticket: &ticket)
    }

    /// Queues one delivery and accounts for a drop.
    func deliver(_ delivery: Delivery, to session: Session, ticket: inout StoreTicket) -> Bool {
        var delivery = delivery
        delivery.storageID = nil  // a re-routed delivery is a new row of its new session
        // Counted before the session can report, so the hand-off cannot complete early.
        delivery.handOff?.expect()
        switch session.enqueue(delivery, ticket: &ticket) {
        case .queued:
            return true
        case .droppedQueueFull:
            statistics.messagesDroppedQueueFull.add(1)
        case .droppedOffline:
            statistics.messagesDroppedOffline.add(1)
        case .droppedSessionEnded:
            break
        }
        delivery.handOff?.dropped()
        return false
    }
}
