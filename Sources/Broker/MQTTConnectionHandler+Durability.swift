import Logging
import MQTTCodec
import NIOCore
import Store

// Acknowledgements that promise durability leave only after the store committed what they
// promise: a PUBACK/PUBREC after the message is stored for every persistent subscriber (and as
// the retained message), a PUBCOMP after the QoS 2 identifier is forgotten, a SUBACK after the
// subscription is stored, a CONNACK after the session record is.
//
// Rather than tracking each packet, the connection holds its whole output buffer until the
// highest ticket any packet in it depends on committed. Packets therefore keep their order
// (MQTT-4.6.0-2..4: acknowledgements in the order the PUBLISHes arrived), and a group commit of
// a few milliseconds releases everything a busy connection produced meanwhile in one write.

extension MQTTConnectionHandler {
    /// The packets written next depend on `ticket`.
    func require(_ ticket: StoreTicket) {
        guard broker.acknowledgementsWaitForStore else { return }
        requiredTicket.include(ticket)
    }

    /// True when output must wait for the store; then a callback will flush it later.
    func mustWaitForStore() -> Bool {
        guard let store = broker.store, requiredTicket > .none else { return false }
        if requiredTicket <= store.committedTicket {
            requiredTicket = .none
            return false
        }
        guard !awaitingCommit, let context else { return true }
        awaitingCommit = true
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        store.whenCommitted(requiredTicket) { result in
            eventLoop.execute {
                let handler = handler.value
                handler.awaitingCommit = false
                switch result {
                case .success:
                    handler.flushOutput()
                    handler.drainSession()
                case .failure(let error):
                    handler.storeFailed(error)
                }
            }
        }
        return true
    }

    /// The store cannot write: what waited for it is never sent, and the client is told the
    /// server failed (v5 0x80) so it reconnects and re-sends what was not acknowledged.
    private func storeFailed(_ error: StoreError) {
        guard phase == .connected || phase == .closing else { return }
        logger.error("closing connection: the store failed", metadata: ["error": "\(error)"])
        output.clear()
        outputPacketCount = 0
        requiredTicket = .none
        disconnect(.unspecifiedError, reasonString: "the broker cannot store messages")
    }
}
