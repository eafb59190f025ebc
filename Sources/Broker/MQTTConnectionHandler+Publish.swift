import Atomics
import Bridge
import BrokerCore
import Logging
import MQTTCodec
import NIOCore
import Store

// MARK: - Client to broker

extension MQTTConnectionHandler {
    func handlePublish(_ publish: PublishPacket) {
        guard var connected = self.connected else { return }
        let version = connected.negotiated.protocolVersion
        broker.statistics.messagesReceived.add(1)

        // Topic alias (MQTT 5.0 §3.3.2.3.4): resolve before anything looks at the topic.
        var topic = publish.topic
        if version == .v5 {
            switch connected.inboundAliases.resolve(topic: publish.topic, alias: publish.properties.topicAlias) {
            case .success(let resolved):
                topic = resolved
                self.connected = connected
            case .failure(let error):
                protocolViolation(error.reasonCode, error.detail)
                return
            }
        }

        if let refusal = refusal(of: publish, topic: topic, version: version) {
            if refusal.code == .topicNameInvalid { broker.statistics.limitTopic.add(1) }
            refuse(publish, with: refusal.code, detail: refusal.detail)
            return
        }
        if !connected.access.allowsEverything, denyPublish(publish, topic: topic, access: connected.access) {
            return
        }
        guard withinPublishRate() else {
            throttle(publish, version: version)
            return
        }

        let session = connected.session
        switch publish.qos {
        case .atMostOnce:
            route(publish, topic: topic, from: session)
        case .atLeastOnce:
            // The PUBACK leaves once the message is stored for every persistent subscriber, and
            // once Kafka has it where a mapping matched.
            let routed = route(publish, topic: topic, from: session)
            require(routed.ticket)
            acknowledge(.puback(PublishFlowPacket(packetID: publish.packetID ?? 0)), heldUnder: routed.kafkaSequence)
        case .exactlyOnce:
            let packetID = publish.packetID ?? 0
            let receiveMaximum = Int(broker.configuration.receiveMaximum)
            var ticket = StoreTicket.none
            // Whether Kafka gets the message: its stored identifier then says whether Kafka has
            // it yet, so a PUBLISH re-sent after a restart neither goes missing nor twice.
            let awaitingKafka = broker.bridge?.matches(topic) ?? false
            let received = session.withDeliveryState(attachedTo: connectionID, ticket: &ticket) {
                state -> (isNew: Bool, resendToKafka: Bool)? in
                // MQTT-3.3.4-9: no more unacknowledged QoS 2 PUBLISHes than our Receive Maximum.
                if !state.incomingQoS2.contains(packetID), version == .v5, state.incomingQoS2Count >= receiveMaximum {
                    return nil
                }
                let isNew = state.receiveQoS2(packetID, awaitingKafka: awaitingKafka)
                return (isNew, !isNew && state.takeRestoredAwaitingKafka(packetID))
            }
            guard let attached = received else { return }  // taken over meanwhile
            guard let (isNew, resendToKafka) = attached else {
                protocolViolation(.receiveMaximumExceeded, "more than \(receiveMaximum) QoS 2 messages awaiting PUBREL")
                return
            }
            // A re-sent QoS 2 PUBLISH whose PUBREL has not come yet was already routed: exactly once.
            // Only when the broker stopped before Kafka had it does the re-sent copy go to Kafka.
            var kafkaSequence: Int?
            if isNew {
                let routed = route(publish, topic: topic, from: session)
                ticket.include(routed.ticket)
                kafkaSequence = routed.kafkaSequence
            } else if resendToKafka {
                let message = ApplicationMessage(publish: publish, topic: topic, receivedAt: lastPacketReceivedAt)
                kafkaSequence = forwardToKafka(message, awaitAcknowledgement: true)
            }
            // PUBREC leaves once the message and the identifier awaiting PUBREL are stored, and
            // once Kafka has it. A re-sent PUBLISH is not forwarded again: exactly once in Kafka.
            require(ticket)
            acknowledge(
                .pubrec(PublishFlowPacket(packetID: packetID)),
                heldUnder: kafkaSequence,
                qos2PacketID: packetID
            )
        }
    }

    /// Routes to local subscribers and offers the message to the Kafka bridge. Returns the store
    /// write an acknowledgement must wait for, and the sequence it is held under for Kafka.
    @discardableResult
    private func route(
        _ publish: PublishPacket,
        topic: String,
        from session: Session
    ) -> (ticket: StoreTicket, kafkaSequence: Int?) {
        let message = ApplicationMessage(publish: publish, topic: topic, receivedAt: lastPacketReceivedAt)
        var ticket = StoreTicket.none
        if !ingestOnly {
            broker.publish(message, from: session, matches: &matches, ticket: &ticket)
        }
        let kafkaSequence = forwardToKafka(message, awaitAcknowledgement: publish.qos != .atMostOnce)
        return (ticket, kafkaSequence)
    }

    /// Rules a well-formed PUBLISH can still break; nil when it may be routed.
    private func refusal(
        of publish: PublishPacket,
        topic: String,
        version: MQTTProtocolVersion
    ) -> (code: MQTTReasonCode, detail: String)? {
        if TopicName.validate(topic, limits: broker.configuration.topicLimits) != nil {
            return (.topicNameInvalid, "topic name outside limits.max-topic-length/-levels")
        }
        // The broker may check a payload that says it is UTF-8 (MQTT 5.0 §3.3.2.3.2).
        if version == .v5, publish.properties.payloadFormat == .utf8, !publish.payload.isValidUTF8 {
            return (.payloadFormatInvalid, "payload format indicator is UTF-8 but the payload is not")
        }
        return nil
    }

    /// Takes a token from the client's `limits.max-publish-rate` bucket; logs when the client
    /// goes over the limit and when it is back under it.
    private func withinPublishRate() -> Bool {
        guard var bucket = publishBucket else { return true }
        let allowed = bucket.take(at: lastPacketReceivedAt)
        publishBucket = bucket
        if allowed == publishThrottled {
            publishThrottled = !allowed
            if allowed {
                logger.info("client back under limits.max-publish-rate")
            } else {
                logger.warning(
                    "client over limits.max-publish-rate: PUBLISHes refused",
                    metadata: ["rate": "\(bucket.rate)"]
                )
            }
        }
        return allowed
    }

    /// A PUBLISH over the client's rate is not routed. v5 says so with 0x97 Quota exceeded in
    /// PUBACK/PUBREC (MQTT 5.0 §3.4.2.1); QoS 0 and 3.1.1 have no way to be told, so the message
    /// is dropped and counted, and 3.1.1 QoS 1/2 are acknowledged as the protocol requires.
    private func throttle(_ publish: PublishPacket, version: MQTTProtocolVersion) {
        broker.statistics.limitPublishRate.add(1)
        guard let packetID = publish.packetID else { return }
        let answer: PublishFlowPacket
        if version == .v5 {
            answer = PublishFlowPacket(
                packetID: packetID,
                reasonCode: .quotaExceeded,
                properties: problemProperties("over limits.max-publish-rate")
            )
        } else {
            answer = PublishFlowPacket(packetID: packetID)
        }
        write(publish.qos == .atLeastOnce ? .puback(answer) : .pubrec(answer))
    }

    /// Answers a PUBLISH the broker will not route: v5 QoS 1/2 get the reason code in PUBACK or
    /// PUBREC and the connection stays; otherwise there is no way to report it but DISCONNECT.
    private func refuse(_ publish: PublishPacket, with code: MQTTReasonCode, detail: String) {
        logger.info("publish refused: \(detail)", metadata: ["topic": "\(publish.topic)", "reason": "\(code)"])
        guard protocolVersion == .v5, let packetID = publish.packetID else {
            protocolViolation(code, detail)
            return
        }
        let answer = PublishFlowPacket(packetID: packetID, reasonCode: code, properties: problemProperties(detail))
        write(publish.qos == .atLeastOnce ? .puback(answer) : .pubrec(answer))
    }

    func handlePubrel(_ pubrel: PublishFlowPacket) {
        guard let session = connected?.session else { return }
        var ticket = StoreTicket.none
        guard
            let released = session.withDeliveryState(
                attachedTo: connectionID,
                ticket: &ticket,
                { $0.releaseQoS2(pubrel.packetID) }
            )
        else { return }
        // PUBCOMP leaves once the identifier is forgotten in the store too: the client may reuse
        // it right after, and a restart must not take the new message for a re-send of the old.
        require(ticket)
        // MQTT 5.0 §3.7.2.1: 0x92 when the identifier is unknown; 3.1.1 just completes.
        let code: MQTTReasonCode = released || protocolVersion != .v5 ? .success : .packetIdentifierNotFound
        write(.pubcomp(PublishFlowPacket(packetID: pubrel.packetID, reasonCode: code)))
    }

    /// Reason String and User Properties only go out when the client did not turn problem
    /// information off (MQTT-3.1.2-29).
    func problemProperties(_ detail: String) -> MQTTProperties {
        guard protocolVersion == .v5, connected?.negotiated.requestProblemInformation ?? true else { return [] }
        var properties = MQTTProperties()
        properties.reasonString = detail
        return properties
    }
}

// MARK: - Broker to client

extension MQTTConnectionHandler {
    func handlePuback(_ puback: PublishFlowPacket) {
        guard let session = connected?.session else { return }
        if session.withDeliveryState(attachedTo: connectionID, { $0.acknowledgePuback(puback.packetID) }) == true {
            broker.statistics.messagesSent.add(1)
            drainSession()
        }
    }

    func handlePubrec(_ pubrec: PublishFlowPacket) {
        guard let session = connected?.session else { return }
        var ticket = StoreTicket.none
        let outcome = session.withDeliveryState(attachedTo: connectionID, ticket: &ticket) {
            $0.acknowledgePubrec(pubrec.packetID, reasonCode: pubrec.reasonCode)
        }
        switch outcome {
        case .sendPubrel:
            // After a restart the message must be known as received, or it would be sent again.
            require(ticket)
            write(.pubrel(PublishFlowPacket(packetID: pubrec.packetID)))
        case .flowEnded:
            drainSession()
        case .unknownPacketID:
            let code: MQTTReasonCode = protocolVersion == .v5 ? .packetIdentifierNotFound : .success
            write(.pubrel(PublishFlowPacket(packetID: pubrec.packetID, reasonCode: code)))
        case nil:
            return
        }
    }

    func handlePubcomp(_ pubcomp: PublishFlowPacket) {
        guard let session = connected?.session else { return }
        if session.withDeliveryState(attachedTo: connectionID, { $0.acknowledgePubcomp(pubcomp.packetID) }) == true {
            broker.statistics.messagesSent.add(1)
            drainSession()
        }
    }

    /// Re-sends what the previous connection left unacknowledged (MQTT-4.4.0-1).
    func resendInflight() {
        guard let session = connected?.session else { return }
        let resends = session.withDeliveryState(attachedTo: connectionID) { $0.resendOnReconnect() } ?? []
        let now = NIODeadline.now()
        for resend in resends {
            switch resend {
            case .publish(let outgoing):
                send(outgoing, now: now)
            case .pubrel(let packetID):
                write(.pubrel(PublishFlowPacket(packetID: packetID)))
            }
        }
    }

    /// Moves messages from the session into the socket while the window and the socket allow.
    ///
    /// Called when a drain was scheduled by a publisher, after acknowledgements free the window,
    /// and when the socket becomes writable again. Works in batches so one busy subscriber cannot
    /// starve the other connections of its event loop.
    func drainSession() {
        guard phase == .connected, let connected, let context else { return }
        let batchLimit = 512
        let window = connected.negotiated.outgoingWindow
        var rounds = 0
        while context.channel.isWritable {
            let now = NIODeadline.now()
            sendable.removeAll(keepingCapacity: true)
            var ticket = StoreTicket.none
            let taken = connected.session.withDeliveryState(
                attachedTo: connectionID,
                startingDrain: true,
                ticket: &ticket
            ) { state in
                state.takeSendable(window: window, now: now, limit: batchLimit, into: &sendable)
            }
            guard let taken else { return }
            if sendable.contains(where: { $0.packetID != nil && $0.delivery.qos == .exactlyOnce }) {
                // A QoS 2 PUBLISH leaves once its packet identifier is stored: after a restart it is
                // re-sent under the same identifier, which is how the client recognises it.
                require(ticket)
            }
            if taken.expired > 0 {
                broker.statistics.messagesExpired.add(taken.expired)
            }
            for outgoing in sendable {
                send(outgoing, now: now)
            }
            sendable.removeAll(keepingCapacity: true)
            flushOutput()
            guard taken.taken == batchLimit else { return }
            rounds += 1
            if rounds == 4 {
                // More is waiting: give the event loop's other channels a turn, then continue.
                let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
                context.eventLoop.execute { handler.value.drainSession() }
                return
            }
        }
    }

    /// Encodes one PUBLISH for this client: downgraded QoS, RETAIN as decided by the router,
    /// v5 properties (forwarded ones, remaining expiry, subscription identifiers, topic alias).
    private func send(_ outgoing: OutgoingPublish, now: NIODeadline) {
        guard var connected else { return }
        if !connected.access.allowsEverything, withheldByAccess(outgoing, access: connected.access) { return }
        let delivery = outgoing.delivery
        let message = delivery.message
        let version = connected.negotiated.protocolVersion
        var packet = PublishPacket(
            topic: message.topic,
            payload: message.payload,
            qos: delivery.qos,
            retain: delivery.retain,
            dup: outgoing.dup,
            packetID: outgoing.packetID
        )
        var aliasAssigned: UInt16?
        if version == .v5 {
            var properties = message.forwardedProperties
            if let expiry = message.expiry {
                // Already in flight when it expired (a resend): it must still be completed, so it
                // goes out with the shortest interval left (MQTT-3.3.2-5 only drops unsent copies).
                properties.messageExpiryInterval = expiry.remainingInterval(at: now) ?? 1
            }
            if !delivery.subscriptionIdentifiers.isEmpty {
                properties.subscriptionIdentifiers = delivery.subscriptionIdentifiers
            }
            if connected.negotiated.clientTopicAliasMaximum > 0,
                let (alias, isNew) = connected.outboundAliases.alias(for: message.topic)
            {
                properties.topicAlias = alias
                if !isNew { packet.topic = "" }
                aliasAssigned = isNew ? alias : nil
                self.connected = connected
            }
            packet.properties = properties
        }

        let start = output.writerIndex
        write(.publish(packet))
        if let maximum = connected.negotiated.clientMaximumPacketSize, output.writerIndex - start > maximum {
            // MQTT-3.1.2-25: too large for this client: discard it and act as if it was delivered.
            output.moveWriterIndex(to: start)
            outputPacketCount -= 1
            broker.statistics.messagesDroppedTooLarge.add(1)
            if aliasAssigned != nil {
                // The client never learnt this alias; forget it so it is sent with the topic again.
                self.connected?.outboundAliases.forget(topic: message.topic)
            }
            if let packetID = outgoing.packetID {
                _ = connected.session.withDeliveryState(attachedTo: connectionID) { state in
                    state.abandonInflight(packetID)
                }
            }
            return
        }
        if outgoing.packetID == nil {
            broker.statistics.messagesSent.add(1)
        }
    }
}
