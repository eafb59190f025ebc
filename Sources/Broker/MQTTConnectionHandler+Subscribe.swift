import BrokerCore
import Logging
import MQTTCodec
import NIOCore
import Store

extension MQTTConnectionHandler {
    func handleSubscribe(_ subscribe: SubscribePacket) {
        guard let connected else { return }
        let session = connected.session
        let version = connected.negotiated.protocolVersion
        // One Subscription Identifier applies to every filter of the packet (MQTT 5.0 §3.8.2.1.2).
        let identifier = version == .v5 ? subscribe.properties.subscriptionIdentifiers.first : nil
        var reasonCodes: [MQTTReasonCode] = []
        reasonCodes.reserveCapacity(subscribe.subscriptions.count)
        if ingestOnly {
            // An ingest-only listener has no local subscribers (MQTT 5.0 0x87 Not authorized;
            // 3.1.1 0x80 Failure).
            logger.info("subscription refused: ingest-only listener")
            let code: MQTTReasonCode = version == .v5 ? .notAuthorized : .unspecifiedError
            write(
                .suback(
                    SubAckPacket(packetID: subscribe.packetID, reasonCodes: subscribe.subscriptions.map { _ in code })
                )
            )
            return
        }
        var retainedToSend: [(filter: TopicFilter, qos: QoS)] = []

        for subscription in subscribe.subscriptions {
            let filter: TopicFilter
            do {
                filter = try TopicFilter(parsing: subscription.topicFilter, limits: broker.configuration.topicLimits)
            } catch {
                logger.info(
                    "subscription refused",
                    metadata: ["filter": "\(subscription.topicFilter)", "reason": "\(error.reasonCode)"]
                )
                reasonCodes.append(version == .v5 ? error.reasonCode : .unspecifiedError)
                continue
            }
            if filter.shareName != nil, subscription.options.noLocal {
                // MQTT-3.8.3-4: No Local on a Shared Subscription is a Protocol Error.
                protocolViolation(.protocolError, "No Local set on shared subscription \(subscription.topicFilter)")
                return
            }
            if let denied = deniedSubscription(filter, access: connected.access) {
                reasonCodes.append(denied)
                continue
            }
            let options = subscription.options
            let isNew = broker.router.subscribe(session, to: filter, options: options, identifier: identifier)
            // SUBACK leaves once a persistent session's subscription is stored.
            require(session.storeSubscription(filter, options: options, identifier: identifier))
            reasonCodes.append(.granted(options.qos))

            // Retained messages go to a new non-shared subscription as its Retain Handling says
            // (MQTT 5.0 §3.3.1.3, §3.8.3.1); a shared subscription gets none.
            guard filter.shareName == nil else { continue }
            switch options.retainHandling {
            case .sendOnSubscribe:
                retainedToSend.append((filter, options.qos))
            case .sendOnNewSubscribe:
                if isNew { retainedToSend.append((filter, options.qos)) }
            case .doNotSend:
                break
            }
        }

        write(.suback(SubAckPacket(packetID: subscribe.packetID, reasonCodes: reasonCodes)))

        let now = NIODeadline.now()
        for (filter, qos) in retainedToSend {
            for message in broker.retained.matching(filter, now: now) {
                let delivery = Delivery(
                    message: message,
                    qos: min(message.qos, qos),
                    // MQTT-3.3.1-8: a retained message sent because of a subscription has RETAIN set.
                    retain: true,
                    subscriptionIdentifiers: identifier.map { [$0] } ?? []
                )
                var ticket = StoreTicket.none
                _ = broker.router.deliver(delivery, to: session, ticket: &ticket)
            }
        }
    }

    func handleUnsubscribe(_ unsubscribe: UnsubscribePacket) {
        guard let connected else { return }
        let version = connected.negotiated.protocolVersion
        var reasonCodes: [MQTTReasonCode] = []
        for raw in unsubscribe.topicFilters {
            guard let filter = try? TopicFilter(parsing: raw, limits: broker.configuration.topicLimits) else {
                reasonCodes.append(.topicFilterInvalid)
                continue
            }
            let existed = broker.router.unsubscribe(connected.session, from: filter)
            require(connected.session.storeUnsubscription(filter))
            reasonCodes.append(existed ? .success : .noSubscriptionExisted)
        }
        // 3.1.1 UNSUBACK carries no reason codes (MQTT 3.1.1 §3.11).
        write(.unsuback(UnsubAckPacket(packetID: unsubscribe.packetID, reasonCodes: version == .v5 ? reasonCodes : [])))
    }
}
