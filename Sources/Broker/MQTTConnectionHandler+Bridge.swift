import Bridge
import BrokerCore
import DequeModule
import Logging
import MQTTCodec
import NIOCore
import Store

// In `sync` mode a QoS 1/2 message that a Kafka mapping matched is acknowledged only once Kafka
// acknowledged its record (../shared/DESIGN.md, "Delivery promises"). Acknowledgements must
// still leave in the order the PUBLISHes came (MQTT-4.6.0-2..4), so an acknowledgement that waits
// for Kafka holds back every acknowledgement written after it; PUBLISHes to this client and
// PINGRESP do not wait. A record Kafka refused turns into a v5 reason code (0x80, 0x95, 0x97)
// instead of a false success; a 3.1.1 client, which cannot be told, is disconnected without the
// acknowledgement, so it sends the message again.

/// An acknowledgement held back: waiting for Kafka, or queued behind one that is.
struct HeldAcknowledgement {
    var packet: MQTTPacket
    /// Kafka answers still to come (0 or 1: the bridge aggregates the mappings).
    var outstanding: Int
    var failure: BridgeFailure?
    /// For a PUBREC: the identifier whose QoS 2 state ends if Kafka refused the record.
    var qos2PacketID: UInt16?
    /// For a PUBREC: the store write saying Kafka has the message; the PUBREC waits for it.
    var forwardedTicket = StoreTicket.none
}

extension MQTTPacket {
    /// Acknowledgements of the client's packets; they keep their relative order.
    var queuesBehindHeldAcknowledgements: Bool {
        switch self {
        case .puback, .pubrec, .pubcomp, .suback, .unsuback: true
        case .connect, .connack, .publish, .pubrel, .subscribe, .unsubscribe, .pingreq, .pingresp, .disconnect, .auth:
            false
        }
    }
}

extension MQTTConnectionHandler {
    /// Offers a routed message to the Kafka bridge. For QoS 1/2 returns the sequence number the
    /// acknowledgement must be held under (pass it to `acknowledge`), or nil when no mapping
    /// matched and the acknowledgement need not wait.
    func forwardToKafka(_ message: ApplicationMessage, awaitAcknowledgement: Bool) -> Int? {
        guard let bridge = broker.bridge, let connected, let context else { return nil }
        guard awaitAcknowledgement else {
            if bridge.forward(message, from: connected.publisher, completion: nil) > 0,
                bridge.publishersShouldWait(topic: message.topic)
            {
                waitForSpoolRoom(topic: message.topic)
            }
            return nil
        }
        // The acknowledgement is appended right after this returns, before any completion can
        // run (completions hop onto this event loop), so its sequence number is known now.
        let sequence = firstHeldSequence + heldAcknowledgements.count
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let matched = bridge.forward(message, from: connected.publisher) { result in
            eventLoop.execute { handler.value.kafkaAnswered(sequence: sequence, result) }
        }
        if matched > 0, bridge.publishersShouldWait(topic: message.topic) { waitForSpoolRoom(topic: message.topic) }
        return matched > 0 ? sequence : nil
    }

    /// A spool is nearly full: stop reading this publisher's socket until it has room, checking
    /// every 100 ms. TCP then holds the publisher back, which is gentler than refusing its
    /// messages (0x97), the answer once a spool is full. The keep-alive does not count the pause
    /// against the client: it is the broker that is not reading.
    private func waitForSpoolRoom(topic: String) {
        guard !pausedForSpool, let context else { return }
        pausedForSpool = true
        spoolPauseTopic = topic
        broker.statistics.spoolPauses.add(1)
        logger.info("a Kafka spool is nearly full: reading from this publisher pauses")
        context.channel.setOption(.autoRead, value: false).whenFailure { _ in }
        scheduleSpoolRoomCheck()
    }

    private func scheduleSpoolRoomCheck() {
        guard let context else { return }
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(100)) { [self] in
            guard phase == .connected, let context = self.context else { return }
            lastPacketReceivedAt = .now()
            if let topic = spoolPauseTopic, broker.bridge?.publishersShouldWait(topic: topic) == true {
                scheduleSpoolRoomCheck()
                return
            }
            pausedForSpool = false
            logger.info("the Kafka spool has room again: reading from this publisher resumes")
            while !pausedForSpool, phase == .connected, let packet = heldForSpool.popFirst() {
                handle(packet)
            }
            flushOutput()
            guard !pausedForSpool else { return }  // the held packets filled it again
            context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
        }
    }

    /// Writes an acknowledgement, or holds it until Kafka answered for `sequence`.
    func acknowledge(_ packet: MQTTPacket, heldUnder sequence: Int?, qos2PacketID: UInt16? = nil) {
        guard let sequence else {
            write(packet)
            return
        }
        assert(sequence == firstHeldSequence + heldAcknowledgements.count)
        heldAcknowledgements.append(HeldAcknowledgement(packet: packet, outstanding: 1, qos2PacketID: qos2PacketID))
    }

    private func kafkaAnswered(sequence: Int, _ result: Result<Void, BridgeFailure>) {
        let index = sequence - firstHeldSequence
        guard phase == .connected, heldAcknowledgements.indices.contains(index) else { return }
        heldAcknowledgements[index].outstanding -= 1
        switch result {
        case .failure(let failure):
            heldAcknowledgements[index].failure = failure
        case .success:
            if let packetID = heldAcknowledgements[index].qos2PacketID, let session = connected?.session {
                // Kafka has it: a PUBLISH re-sent after a restart must not reach it again. Written
                // at once, not when the PUBREC's turn comes, to keep the window in which a crash
                // can still cause a second copy as short as the store allows.
                var ticket = StoreTicket.none
                _ = session.withDeliveryState(attachedTo: connectionID, ticket: &ticket) {
                    $0.forwardedQoS2(packetID)
                }
                heldAcknowledgements[index].forwardedTicket = ticket
            }
        }
        releaseHeldAcknowledgements()
    }

    /// Writes the acknowledgements at the front whose answers are all in.
    private func releaseHeldAcknowledgements() {
        while let first = heldAcknowledgements.first, first.outstanding == 0 {
            heldAcknowledgements.removeFirst()
            firstHeldSequence += 1
            guard let failure = first.failure else {
                // A completed QoS 2 flow is never re-sent, so its message is never written twice.
                require(first.forwardedTicket)
                encode(first.packet)
                continue
            }
            broker.statistics.bridgeRefusals.add(1)
            if let packetID = first.qos2PacketID, let session = connected?.session {
                // The flow ends here (a PUBREC failure code, or a closed connection): a re-sent
                // PUBLISH with this identifier is a new message and must reach Kafka this time.
                _ = session.withDeliveryState(attachedTo: connectionID) { $0.releaseQoS2(packetID) }
            }
            guard protocolVersion == .v5 else {
                logger.warning(
                    "closing connection: Kafka did not take a message and 3.1.1 cannot be told",
                    metadata: ["error": "\(failure)"]
                )
                heldAcknowledgements.removeAll()
                closeConnection()
                return
            }
            logger.info("publish refused: Kafka did not take it", metadata: ["error": "\(failure)"])
            encode(refused(first.packet, failure))
        }
        flushOutput()
    }

    private func refused(_ packet: MQTTPacket, _ failure: BridgeFailure) -> MQTTPacket {
        let properties = problemProperties("Kafka: \(failure)")
        switch packet {
        case .puback(var flow):
            flow.reasonCode = failure.reasonCode
            flow.properties = properties
            return .puback(flow)
        case .pubrec(var flow):
            flow.reasonCode = failure.reasonCode
            flow.properties = properties
            return .pubrec(flow)
        default:
            return packet
        }
    }
}
