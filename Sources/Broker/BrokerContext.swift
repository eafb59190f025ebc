import Atomics
import Bridge
import BrokerCore
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Store

/// The state every connection handler shares: sessions, routing, retained messages, counters.
///
/// Owns the session life cycle (attach, takeover, detach, expiry, end) so that the rules about
/// when a session ends and when a Will goes out live in one place.
final class BrokerContext: Sendable {
    let configuration: BrokerConfiguration
    let statistics = BrokerStatistics()
    let router: Router
    let retained: RetainedMessages
    /// The durable store, when `configuration.dataDirectory` is set.
    let store: DurableStore?
    /// Whether acknowledgements wait for the store (every durability but `.none`).
    let acknowledgementsWaitForStore: Bool
    /// MQTT → Kafka, when mappings are configured.
    let bridge: MQTTKafkaBridge?
    /// `limits.max-connection-rate`, when set.
    let connectionRateLimiter: ConnectionRateLimiter?
    let logger: Logger
    /// Checks CONNECT credentials (`auth:`).
    let authenticator: Authenticator
    /// The event loop group, used to run timers of sessions whose connection is gone.
    let eventLoopGroup: any EventLoopGroup

    private let sessions = NIOLockedValueBox<[String: Session]>([:])
    /// Kafka → MQTT mappings feeding this broker, for `$SYS` (they are made after the broker,
    /// which is their destination).
    let kafkaToMQTT = NIOLockedValueBox<[KafkaToMQTTBridge]>([])

    init(
        configuration: BrokerConfiguration,
        eventLoopGroup: any EventLoopGroup,
        store: DurableStore?,
        bridge: MQTTKafkaBridge?,
        logger: Logger
    ) {
        self.bridge = bridge?.isEmpty == false ? bridge : nil
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.store = store
        self.acknowledgementsWaitForStore = store != nil && configuration.durability != .none
        self.retained = RetainedMessages(store: store)
        self.connectionRateLimiter = configuration.maximumConnectionRate.map { ConnectionRateLimiter(rate: $0) }
        self.router = Router(statistics: statistics)
        self.authenticator = Authenticator(configuration: configuration.authentication)
    }

    var sessionCount: Int { sessions.withLockedValue { $0.count } }

    // MARK: Publishing

    /// Routes a message to its subscribers and, when RETAIN is set, updates the retained store.
    /// `ticket` is raised to the store write the publisher's acknowledgement must wait for.
    @discardableResult
    func publish(
        _ message: ApplicationMessage,
        from publisher: Session?,
        matches: inout [Router.Match],
        ticket: inout StoreTicket
    ) -> Int {
        if message.retain {
            ticket.include(retained.store(message))
        }
        return router.route(message, publisher: publisher, matches: &matches, ticket: &ticket)
    }

    /// For messages published outside a connection's read path (Wills, `$SYS`).
    func publish(_ message: ApplicationMessage) {
        var matches: [Router.Match] = []
        var ticket = StoreTicket.none
        publish(message, from: nil, matches: &matches, ticket: &ticket)
    }

    // MARK: Session life cycle

    struct Attachment {
        var session: Session
        /// CONNACK Session Present (MQTT-3.2.2-2/-3).
        var sessionPresent: Bool
        var generation: UInt64
        /// The store write recording the session; CONNACK waits for it.
        var ticket: StoreTicket
    }

    /// Finds or creates the session of `clientID` and attaches the connection to it.
    ///
    /// Clean Start discards an existing session (MQTT-3.1.2-4); otherwise an existing session is
    /// resumed (MQTT-3.1.2-5). A connection already attached is taken over: it is told to send
    /// DISCONNECT 0x8E and close (MQTT-3.1.4-3).
    func attach(
        clientID: String,
        cleanStart: Bool,
        expiryInterval: UInt32,
        connection: SessionAttachment
    ) -> Attachment {
        let (session, discarded, sessionPresent): (Session, Session?, Bool) = sessions.withLockedValue { sessions in
            if !cleanStart, let existing = sessions[clientID], !existing.isEnded {
                return (existing, nil, true)
            }
            let fresh = Session(
                clientID: clientID,
                maximumQueued: configuration.maximumQueuedPerSession,
                queueQoS0WhileOffline: configuration.queueQoS0WhileOffline,
                store: store
            )
            let discarded = sessions.updateValue(fresh, forKey: clientID)
            return (fresh, discarded, false)
        }

        if let discarded {
            // The connection still attached to the discarded session (if any) is taken over too.
            let previous = discarded.currentAttachmentForTakeover()
            end(discarded, ifGeneration: nil, reason: "discarded by clean start")
            previous?.takeOver(sessionEnded: true)
        }

        let attached = session.attach(connection, expiryInterval: expiryInterval)
        if let previous = attached.previous {
            logger.info("session taken over", metadata: ["client": "\(clientID)"])
            previous.takeOver(sessionEnded: false)
        }
        return Attachment(
            session: session,
            sessionPresent: sessionPresent,
            generation: attached.generation,
            ticket: attached.ticket
        )
    }

    /// The connection of `session` closed. Applies the Session Expiry Interval and the Will.
    ///
    /// - Parameters:
    ///   - will: the Will to publish, or nil when the client disconnected normally or had none.
    ///   - willDelay: seconds to wait before publishing the Will (MQTT 5.0 §3.1.3.2.2).
    /// - Returns: false when another connection had already taken the session over; the Will was
    ///   then not handled here (see `MQTTConnectionHandler.sessionTakenOver`).
    @discardableResult
    func detach(
        _ session: Session,
        connectionID: ObjectIdentifier,
        will: ApplicationMessage?,
        willDelay: UInt32
    ) -> Bool {
        guard let detached = session.detach(connectionID) else { return false }
        statistics.messagesDroppedOffline.add(detached.droppedQoS0)

        if detached.expiryInterval == 0 {
            // The session ends with the connection (MQTT-3.1.2-10 / 3.1.1 Clean Session = 1);
            // a Will is published now whatever its delay (MQTT 5.0 §3.1.3.2.2).
            if let will { publishWill(will, clientID: session.clientID) }
            end(session, ifGeneration: detached.generation, reason: "connection closed")
            return true
        }

        if let will {
            if willDelay == 0 {
                publishWill(will, clientID: session.clientID)
            } else {
                scheduleWill(will, of: session, generation: detached.generation, delay: willDelay)
            }
        }
        scheduleExpiry(of: session, generation: detached.generation, after: detached.expiryInterval)
        return true
    }

    /// Ends a session: forgets it, removes its subscriptions, gives its undelivered shared
    /// subscription messages to other group members, and publishes a Will still waiting.
    func end(_ session: Session, ifGeneration generation: UInt64?, reason: String) {
        guard let ending = session.end(ifGeneration: generation) else { return }
        sessions.withLockedValue { sessions in
            if sessions[session.clientID] === session {
                sessions[session.clientID] = nil
            }
        }
        router.removeAll(of: session)
        for delivery in ending.undelivered where delivery.sharedGroup != nil {
            router.reroute(delivery, awayFrom: session)
        }
        // A bridge delivery this session took into its state counts as handed off: delivered
        // best effort to a session that no longer exists (a re-routed one reports again).
        for delivery in ending.undelivered {
            delivery.handOff?.handed()
        }
        if let will = ending.will {
            publishWill(will, clientID: session.clientID)
        }
        logger.debug("session ended", metadata: ["client": "\(session.clientID)", "reason": "\(reason)"])
    }

    func publishWill(_ will: ApplicationMessage, clientID: String) {
        statistics.willsPublished.add(1)
        logger.debug("publishing will", metadata: ["client": "\(clientID)", "topic": "\(will.topic)"])
        publish(will)
        // A device going offline is news for Kafka too; nobody waits for its acknowledgement.
        bridge?.forward(will, from: BridgePublisher(clientID: clientID, username: nil), completion: nil)
    }

    private func scheduleWill(_ will: ApplicationMessage, of session: Session, generation: UInt64, delay: UInt32) {
        let eventLoop = eventLoopGroup.next()
        let timer = eventLoop.scheduleTask(in: .seconds(Int64(delay))) { [self] in
            if let will = session.takePendingWill(ifGeneration: generation) {
                publishWill(will, clientID: session.clientID)
            }
        }
        if !session.setPendingWill(will, ifGeneration: generation, timer: timer) {
            // The client came back (or the session ended) between detach and now.
            timer.cancel()
        }
    }

    func scheduleExpiry(of session: Session, generation: UInt64, after seconds: UInt32) {
        guard seconds != UInt32.max else { return }  // 0xFFFFFFFF: the session does not expire
        let eventLoop = eventLoopGroup.next()
        eventLoop.scheduleTask(in: .seconds(Int64(seconds))) { [self] in
            end(session, ifGeneration: generation, reason: "session expired")
        }
    }
}

// MARK: - Restart

extension BrokerContext {
    /// Puts back the persistent sessions and retained messages the store held: subscriptions into
    /// the router, queues and in-flight messages into their sessions, and each session's expiry
    /// counted from when its client left, including the time the broker was down. A session whose
    /// client was connected when the broker stopped counts from now.
    func restore(_ recovered: RecoveredState) {
        guard let store else { return }
        let wallClock = WallClock.milliseconds()
        let now = NIODeadline.now()
        retained.restore(recovered.retained, wallClockMilliseconds: wallClock, now: now)
        var restoredCount = 0
        for record in recovered.sessions {
            let session = Session(
                recovered: record,
                maximumQueued: configuration.maximumQueuedPerSession,
                queueQoS0WhileOffline: configuration.queueQoS0WhileOffline,
                store: store,
                wallClockMilliseconds: wallClock,
                now: now
            )
            var remaining: UInt32 = record.expiryInterval
            if record.expiryInterval != UInt32.max, let left = record.disconnectedAt {
                let elapsedSeconds = max(0, (wallClock - left) / 1_000)
                guard elapsedSeconds < Int64(record.expiryInterval) else {
                    // Expired while the broker was down (MQTT-3.1.2-23 counts from the disconnect).
                    _ = session.end(ifGeneration: nil)
                    continue
                }
                remaining = record.expiryInterval - UInt32(elapsedSeconds)
            }
            sessions.withLockedValue { $0[record.clientID] = session }
            for subscription in record.subscriptions {
                guard let filter = try? TopicFilter(parsing: subscription.filter) else { continue }
                _ = router.subscribe(
                    session,
                    to: filter,
                    options: subscription.options,
                    identifier: subscription.identifier
                )
            }
            scheduleExpiry(of: session, generation: session.currentGeneration, after: remaining)
            restoredCount += 1
        }
        logger.info(
            "store recovered",
            metadata: [
                "sessions": "\(restoredCount)", "retained": "\(recovered.retained.count)",
                "path": "\(store.path)",
            ]
        )
    }
}
