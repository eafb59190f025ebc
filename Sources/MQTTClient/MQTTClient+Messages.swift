import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore

typealias MQTTMessageProducer = NIOThrowingAsyncSequenceProducer<
    PublishPacket,
    any Error,
    NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark,
    MQTTMessagesDelegate
>

extension MQTTClient {
    /// The PUBLISHes the server sends on one connection, in arrival order, with topic aliases
    /// resolved (`topic` is always set, the Topic Alias property removed).
    ///
    /// - The sequence ends when the connection closes: normally after ``MQTTClient/disconnect(reasonCode:properties:)``
    ///   or ``MQTTClient/close()``, by throwing an ``MQTTClientError`` otherwise
    ///   (`.serverDisconnected` with the server's reason code, `.connectionClosed`,
    ///   `.keepAliveTimeout`, `.protocolError`).
    /// - Acknowledgement: see ``MQTTClient/AcknowledgementMode``. In automatic mode a QoS 1/2
    ///   message is acknowledged (PUBACK, or PUBREC followed by PUBCOMP on PUBREL) when `next()`
    ///   returns it. A QoS 2 message is handed out once even when the server resends it
    ///   before PUBREL.
    /// - Backpressure: at most `Configuration.messageBufferSize` messages wait for the consumer;
    ///   then the client stops reading the socket (which also delays acknowledgements of its own
    ///   PUBLISHes) until the consumer catches up.
    /// - One consumer: a second iterator throws `.messagesAlreadyIterated`.
    public struct Messages: AsyncSequence, Sendable {
        /// A received PUBLISH, topic alias resolved.
        public typealias Element = PublishPacket

        let stream: MQTTMessageStream?

        /// The single iterator of this connection's messages; a second one throws
        /// `.messagesAlreadyIterated` on its first `next()`.
        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(stream: self.stream, inner: self.stream?.take()?.makeAsyncIterator())
        }

        /// Iterates ``MQTTClient/Messages``.
        public struct AsyncIterator: AsyncIteratorProtocol {
            let stream: MQTTMessageStream?
            var inner: MQTTMessageProducer.AsyncIterator?
            var reportedSecondIterator = false

            /// The next message; nil after a normal end of the connection. In automatic mode a
            /// QoS 1/2 message is acknowledged as it is returned here.
            public mutating func next() async throws -> PublishPacket? {
                guard let stream = self.stream else { return nil }
                guard let inner = self.inner else {
                    guard !self.reportedSecondIterator else { return nil }
                    self.reportedSecondIterator = true
                    throw MQTTClientError(.messagesAlreadyIterated)
                }
                while let packet = try await inner.next() {
                    if stream.handOut(packet) {
                        return packet
                    }
                }
                return nil
            }
        }
    }
}

/// The messages of one connection: holds the sequence until its single consumer takes it.
final class MQTTMessageStream: Sendable {
    private let sequence: NIOLockedValueBox<MQTTMessageProducer?>
    private let core: MQTTClientCore
    private let generation: UInt64
    private let acknowledgementMode: MQTTClient.AcknowledgementMode

    init(
        sequence: MQTTMessageProducer,
        core: MQTTClientCore,
        generation: UInt64,
        acknowledgementMode: MQTTClient.AcknowledgementMode
    ) {
        self.sequence = NIOLockedValueBox(sequence)
        self.core = core
        self.generation = generation
        self.acknowledgementMode = acknowledgementMode
    }

    func take() -> MQTTMessageProducer? {
        self.sequence.withLockedValue { sequence in
            defer { sequence = nil }
            return sequence
        }
    }

    /// Whether to hand the message to the consumer; acknowledges it in automatic mode.
    ///
    /// A QoS 1/2 message still buffered when its connection closed is skipped: it was not
    /// acknowledged and the server redelivers it on the next session, so handing it out now
    /// would deliver it twice.
    func handOut(_ packet: PublishPacket) -> Bool {
        guard packet.qos != .atMostOnce, let packetID = packet.packetID else { return true }
        let generation = self.generation
        switch self.acknowledgementMode {
        case .automatic:
            var accepted = false
            self.core.perform { machine in
                accepted = machine.isAwaitingAcknowledgement(packetID: packetID, generation: generation)
                return machine.acknowledge(packetID: packetID, generation: generation)
            }
            return accepted
        case .manual:
            return self.core.state.withLockedValue {
                $0.machine.isAwaitingAcknowledgement(packetID: packetID, generation: generation)
            }
        }
    }
}
