import BrokerCore
import Logging
import MQTTCodec
import NIOCore

extension MQTTConnectionHandler {
    /// Packets held while a password is verified; more than this many pipelined behind CONNECT
    /// is not a client, it is a flood.
    static let maximumHeldPackets = 1_000

    /// Checks the credentials of a negotiated CONNECT, then completes or refuses it.
    ///
    /// A password that is not in the cache is hashed on a thread pool; meanwhile reading stops
    /// and packets already decoded behind CONNECT (clients may send them before CONNACK, MQTT
    /// 3.1.1 §3.1.4) are held and handled once the connection is accepted.
    func authenticate(_ connect: ConnectPacket, negotiated: NegotiatedConnection, eventLoop: any EventLoop) {
        if let certifiedName = transport.authenticatedUsername {
            // A client certificate verified against the listener's CA names the user
            // (`use-identity-as-username`): no password is asked, and the CONNECT's user name is
            // replaced so ACLs (`%u`) and the Kafka headers see the certified one.
            var certified = connect
            certified.username = certifiedName
            certified.password = nil
            finishAuthentication(.accepted, certified, negotiated)
            return
        }
        let decision = broker.authenticator.authenticate(
            username: connect.username,
            password: connect.password,
            eventLoop: eventLoop
        )
        switch decision {
        case .decided(let outcome):
            finishAuthentication(outcome, connect, negotiated)
        case .pending(let future):
            heldPackets = []
            context?.channel.setOption(.autoRead, value: false).whenFailure { _ in }
            let handler = NIOLoopBound(self, eventLoop: eventLoop)
            future.whenComplete { result in
                let outcome: Authenticator.Outcome
                switch result {
                case .success(let value): outcome = value
                case .failure: outcome = .refused(.serverUnavailable, "password check unavailable")
                }
                handler.value.finishAuthentication(outcome, connect, negotiated)
            }
        }
    }

    /// Holds a packet that arrived while CONNECT is being authenticated; false when none is.
    func holdDuringAuthentication(_ packet: MQTTPacket) -> Bool {
        guard heldPackets != nil else { return false }
        heldPackets?.append(packet)
        if (heldPackets?.count ?? 0) > Self.maximumHeldPackets {
            logger.info("closing connection: too many packets sent before CONNACK")
            heldPackets = nil
            closeConnection()
        }
        return true
    }

    private func finishAuthentication(
        _ outcome: Authenticator.Outcome,
        _ connect: ConnectPacket,
        _ negotiated: NegotiatedConnection
    ) {
        let held = heldPackets ?? []
        let wasHeld = heldPackets != nil
        heldPackets = nil
        guard phase == .awaitingConnect, let context else { return }  // closed meanwhile
        if wasHeld {
            context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
        }

        switch outcome {
        case .refused(let code, let why):
            broker.statistics.authenticationFailures.add(1)
            logger.info(
                "connection refused: \(why)",
                metadata: [
                    "client": "\(connect.clientID)", "user": "\(connect.username ?? "")", "reason": "\(code)",
                ]
            )
            do {
                // MQTT-3.2.2-6/-7: Session Present 0, then the server closes the connection.
                try output.writeMQTTPacket(.connack(ConnAckPacket(reasonCode: code)), version: connect.protocolVersion)
            } catch {
                logger.error("could not encode CONNACK", metadata: ["error": "\(error)"])
            }
            closeConnection()
        case .accepted:
            var negotiated = negotiated
            let access = ClientAccess(
                rules: broker.configuration.accessRules,
                clientID: negotiated.clientID,
                username: connect.username
            )
            if let will = negotiated.will, !access.allowsEverything {
                let decision = access.publish(will.topic)
                if !decision.allowed {
                    // The Will would be a publish the client may not make: it is dropped, the
                    // connection is accepted.
                    broker.statistics.willsDenied.add(1)
                    logger.info(
                        "will denied by acl",
                        metadata: [
                            "client": "\(negotiated.clientID)", "topic": "\(will.topic)",
                            "rule": "\(Self.describe(decision))",
                        ]
                    )
                    negotiated.will = nil
                }
            }
            completeConnect(negotiated, access: access, username: connect.username)
            for packet in held {
                guard phase == .connected else { break }
                handle(packet)
            }
            if wasHeld { flushOutput() }
        }
    }

    static func describe(_ decision: ClientAccess.Decision) -> String {
        decision.ruleIndex.map { "acl[\($0)]" } ?? "no rule matched"
    }
}
