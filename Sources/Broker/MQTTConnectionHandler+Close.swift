import BrokerCore
import Logging
import MQTTCodec
import NIOCore

extension MQTTConnectionHandler {
    func handleDisconnect(_ disconnect: DisconnectPacket) {
        guard let connected else { return }
        if protocolVersion == .v5, let expiry = disconnect.properties.sessionExpiryInterval {
            // MQTT-3.14.2-2: a session that was to end with the connection cannot be extended now.
            if connected.negotiated.connectSessionExpiryWasZero && expiry != 0 {
                protocolViolation(.protocolError, "DISCONNECT sets a session expiry after CONNECT set 0")
                return
            }
            connected.session.setExpiryInterval(min(expiry, broker.configuration.maximumSessionExpiry))
        }
        // MQTT-3.14.4-3: a normal DISCONNECT discards the Will; 0x04 asks for it to be published.
        if disconnect.reasonCode != .disconnectWithWillMessage {
            will = nil
        }
        logger.debug("client disconnected", metadata: ["reason": "\(disconnect.reasonCode)"])
        closeConnection()
    }

    /// Another connection took this session over (MQTT-3.1.4-3): tell the client with 0x8E and
    /// close. Its Will goes out now if it has no delay or the session ended (the new connection
    /// used Clean Start); otherwise the new connection came within the Will Delay, so it is
    /// dropped (MQTT 5.0 §3.1.3.2.2).
    func sessionTakenOver(sessionEnded: Bool) {
        publishWillAfterTakeover(sessionEnded: sessionEnded)
        if phase == .connected {
            logger.info("closing connection: session taken over")
            disconnect(.sessionTakenOver)
        }
    }

    /// The network connection is gone: detach from the session, which applies the session expiry
    /// and publishes or schedules the Will.
    func connectionEnded(_ connected: Connected) {
        let willMessage = will.map { ApplicationMessage(will: $0, publishedAt: .now()) }
        let detached = broker.detach(
            connected.session,
            connectionID: connectionID,
            will: willMessage,
            willDelay: connected.negotiated.willDelayInterval
        )
        if detached {
            will = nil
        } else {
            // Taken over before this close was seen; same rule as `sessionTakenOver`.
            publishWillAfterTakeover(sessionEnded: connected.session.isEnded)
        }
        logger.debug("connection closed")
    }

    private func publishWillAfterTakeover(sessionEnded: Bool) {
        guard let pending = will, let connected else { return }
        will = nil
        if sessionEnded || connected.negotiated.willDelayInterval == 0 {
            broker.publishWill(
                ApplicationMessage(will: pending, publishedAt: .now()),
                clientID: connected.negotiated.clientID
            )
        }
    }

    /// The broker is stopping: v5 clients learn why (0x8B). Wills are not published: the client
    /// did not fail, and a "device offline" message caused by a broker restart would mislead.
    func serverShuttingDown() {
        will = nil
        switch phase {
        case .connected:
            disconnect(.serverShuttingDown)
        case .awaitingConnect:
            closeConnection()
        case .closing, .closed:
            return
        }
    }
}
