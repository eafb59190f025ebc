import BrokerCore
import Logging
import MQTTCodec
import NIOCore

extension MQTTConnectionHandler {
    /// Applies the ACL to a PUBLISH; true when it was denied (and answered).
    ///
    /// v5 QoS 1/2 get 0x87 Not authorized in PUBACK/PUBREC (MQTT 5.0 §3.4.2.1, §3.5.2.1). 3.1.1
    /// cannot say no: the message is dropped and acknowledged as usual, the connection stays.
    func denyPublish(_ publish: PublishPacket, topic: String, access: ClientAccess) -> Bool {
        let decision = access.publish(topic)
        guard !decision.allowed else { return false }
        broker.statistics.publishesDenied.add(1)
        logger.info(
            "publish denied by acl",
            metadata: ["topic": "\(topic)", "qos": "\(publish.qos)", "rule": "\(Self.describe(decision))"]
        )
        guard let packetID = publish.packetID else { return true }  // QoS 0: nothing to answer
        let code: MQTTReasonCode = protocolVersion == .v5 ? .notAuthorized : .success
        var answer = PublishFlowPacket(packetID: packetID, reasonCode: code)
        if code != .success {
            answer.properties = problemProperties("not authorized to publish to \(topic)")
        }
        write(publish.qos == .atLeastOnce ? .puback(answer) : .pubrec(answer))
        return true
    }

    /// Drops an outgoing message the client may not read (see `ClientAccess.receive`); true when
    /// it was dropped. A QoS 1/2 message leaves the in-flight window as if acknowledged, as an
    /// oversized one does (MQTT-3.1.2-25).
    func withheldByAccess(_ outgoing: OutgoingPublish, access: ClientAccess) -> Bool {
        let topic = outgoing.delivery.message.topic
        let decision = access.receive(topic)
        guard !decision.allowed else { return false }
        broker.statistics.deliveriesDenied.add(1)
        logger.debug("delivery withheld by acl", metadata: ["topic": "\(topic)", "rule": "\(Self.describe(decision))"])
        if let packetID = outgoing.packetID {
            _ = connected?.session.withDeliveryState(attachedTo: connectionID) { state in
                state.abandonInflight(packetID)
            }
        }
        return true
    }

    /// The SUBACK code for a filter the ACL denies (v5 0x87 Not authorized, 3.1.1 0x80
    /// Failure), or nil when it is allowed.
    func deniedSubscription(_ filter: TopicFilter, access: ClientAccess) -> MQTTReasonCode? {
        guard !access.allowsEverything else { return nil }
        // A shared subscription receives topics of the filter after `$share/{ShareName}/`.
        let decision = access.subscribe(filter.filter)
        guard !decision.allowed else { return nil }
        broker.statistics.subscriptionsDenied.add(1)
        logger.info(
            "subscription denied by acl",
            metadata: ["filter": "\(filter.raw)", "rule": "\(Self.describe(decision))"]
        )
        return protocolVersion == .v5 ? .notAuthorized : .unspecifiedError
    }
}
