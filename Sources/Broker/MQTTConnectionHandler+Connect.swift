import Atomics
import BrokerCore
import Logging
import MQTTCodec
import NIOCore

extension MQTTConnectionHandler {
    func handleConnect(_ connect: ConnectPacket) {
        connectTimer?.cancel()
        connectTimer = nil
        let negotiation = ConnectNegotiation(configuration: broker.configuration, makeClientID: Self.makeClientID)
        let negotiated: NegotiatedConnection
        switch overConnectionRate
            ? .refused(ConnAckPacket(reasonCode: .connectionRateExceeded)) : negotiation.negotiate(connect)
        {
        case .accepted(let result):
            negotiated = result
        case .refused(let refusal):
            if refusal.reasonCode == .connectionRateExceeded {
                broker.statistics.limitConnectionRate.add(1)
            }
            logger.info(
                "connection refused",
                metadata: ["client": "\(connect.clientID)", "reason": "\(refusal.reasonCode)"]
            )
            // MQTT-3.2.2-7: after a refusing CONNACK the server closes the connection.
            do {
                try output.writeMQTTPacket(.connack(refusal), version: connect.protocolVersion)
            } catch {
                logger.error("could not encode CONNACK", metadata: ["error": "\(error)"])
            }
            closeConnection()
            return
        }
        guard let context else { return }
        // Credentials and ACL (Auth/); completeConnect runs when they pass.
        authenticate(connect, negotiated: negotiated, eventLoop: context.eventLoop)
    }

    /// CONNECT was negotiated and authenticated: attach the session and answer.
    func completeConnect(_ negotiated: NegotiatedConnection, access: ClientAccess) {
        guard let context else { return }
        logger[metadataKey: "client"] = "\(negotiated.clientID)"
        publishBucket = broker.configuration.maximumPublishRate.map { TokenBucket(rate: $0, now: .now()) }
        let attachment = broker.attach(
            clientID: negotiated.clientID,
            cleanStart: negotiated.cleanStart,
            expiryInterval: negotiated.sessionExpiryInterval,
            connection: SessionAttachment(handler: self, eventLoop: context.eventLoop)
        )
        connected = Connected(
            negotiated: negotiated,
            session: attachment.session,
            inboundAliases: InboundTopicAliases(maximum: broker.configuration.topicAliasMaximum),
            outboundAliases: OutboundTopicAliases(maximum: negotiated.clientTopicAliasMaximum),
            access: access
        )
        will = negotiated.will
        phase = .connected

        var connack = negotiated.connack
        connack.sessionPresent = attachment.sessionPresent
        require(attachment.ticket)
        write(.connack(connack))
        logger.debug(
            "client connected",
            metadata: [
                "version": "\(negotiated.protocolVersion)", "cleanStart": "\(negotiated.cleanStart)",
                "sessionPresent": "\(attachment.sessionPresent)", "keepAlive": "\(negotiated.keepAlive)",
            ]
        )

        scheduleKeepAliveCheck()
        if attachment.sessionPresent {
            resendInflight()
        }
        drainSession()
        flushOutput()
    }

    /// A client identifier for a client that sent an empty one (MQTT-3.1.3-6): unique enough
    /// to never collide with another live session.
    static func makeClientID() -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt32
        return "tributary-" + String(high, radix: 36) + String(low, radix: 36)
    }

    // MARK: Keep alive

    /// Closes the connection when no packet arrived for one and a half times the keep-alive
    /// (MQTT-3.1.2-22). One timer per connection, re-armed from the last packet's time.
    func scheduleKeepAliveCheck() {
        guard let keepAlive = connected?.negotiated.keepAlive, keepAlive > 0, let context else { return }
        let allowance = TimeAmount.milliseconds(Int64(keepAlive) * 1_500)
        let deadline = lastPacketReceivedAt + allowance
        keepAliveTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            guard phase == .connected else { return }
            if NIODeadline.now() >= lastPacketReceivedAt + allowance {
                broker.statistics.keepAliveTimeouts.add(1)
                logger.info("closing connection: keep-alive timeout", metadata: ["keepAlive": "\(keepAlive)"])
                disconnect(.keepAliveTimeout)
            } else {
                scheduleKeepAliveCheck()
            }
        }
    }
}
