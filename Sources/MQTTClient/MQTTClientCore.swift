import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore

/// The shared state of one ``MQTTClient``: the state machine behind a lock, plus the bytes encoded
/// for the connection but not yet written.
///
/// Callers on any thread (publish, acknowledge) and the channel handler on its event loop take
/// the lock, feed an event to the state machine and perform what it answers: packets are encoded
/// straight into `output` while the lock is held, so they leave in the order the state machine
/// decided (which keeps topic aliases and packet order consistent). Continuations are resumed
/// after the lock is released. The handler writes `output` with one flush per event-loop tick:
/// a caller schedules a flush only when none is pending, so a burst of publishes costs one
/// event-loop task and one `writev`, not one per message.
final class MQTTClientCore: Sendable {
    typealias StateMachine = MQTTClientStateMachine<MQTTClientWaiter>
    typealias Action = StateMachine.Action

    struct Connection: Sendable {
        let channel: any Channel
        let handler: NIOLoopBound<MQTTClientChannelHandler>
    }

    struct LockedState: Sendable {
        var machine: StateMachine
        var output: ByteBuffer?
        var flushScheduled = false
        var connection: Connection?
        /// The messages of the latest connection, until the next one.
        var messages: MQTTMessageStream?
    }

    /// What to do once the lock is released.
    struct Effects {
        struct Resumption {
            var waiter: MQTTClientWaiter
            var result: Result<StateMachine.Response, MQTTClientError>
        }

        /// The common case (one waiter) needs no array.
        var first: Resumption?
        var rest: [Resumption] = []
        /// Bytes were encoded into `output`.
        var wrote = false
        /// The connection must be closed once `output` is written.
        var close = false
        /// A CONNACK accepted the connection: start the keep-alive timer.
        var connected = false

        mutating func resume(_ waiter: MQTTClientWaiter, _ result: Result<StateMachine.Response, MQTTClientError>) {
            if self.first == nil {
                self.first = Resumption(waiter: waiter, result: result)
            } else {
                self.rest.append(Resumption(waiter: waiter, result: result))
            }
        }

        /// Resumes the waiters and forgets them, keeping the array's capacity for the next use.
        mutating func performResumptions() {
            if let first = self.first {
                self.first = nil
                first.waiter.resume(with: first.result)
            }
            if !self.rest.isEmpty {
                for resumption in self.rest {
                    resumption.waiter.resume(with: resumption.result)
                }
                self.rest.removeAll(keepingCapacity: true)
            }
        }
    }

    let state: NIOLockedValueBox<LockedState>
    let logger: Logger
    let version: MQTTProtocolVersion
    private let allocator = ByteBufferAllocator()

    init(options: StateMachine.Options, logger: Logger) {
        self.state = NIOLockedValueBox(LockedState(machine: StateMachine(options: options)))
        self.logger = logger
        self.version = options.connect.protocolVersion
    }

    // MARK: - Calls from any thread

    /// Feeds one event to the state machine and performs the answer: for callers off the event
    /// loop (publish, subscribe, acknowledge, disconnect, timers).
    func perform(_ event: (inout StateMachine) -> Action) {
        var effects = Effects()
        var deliveries: [PublishPacket] = []
        var flushOn: Connection?
        var closeOn: Connection?
        self.state.withLockedValue { state in
            let action = event(&state.machine)
            self.run(action, &state, &effects, &deliveries)
            guard let connection = state.connection else { return }
            if effects.close {
                closeOn = connection
            } else if effects.wrote, !state.flushScheduled {
                state.flushScheduled = true
                flushOn = connection
            }
        }
        assert(deliveries.isEmpty, "only received packets deliver messages")
        effects.performResumptions()
        if let connection = flushOn ?? closeOn {
            let close = closeOn != nil
            connection.channel.eventLoop.execute {
                connection.handler.value.flushOutput(thenClose: close)
            }
        }
    }

    /// Takes what waits in `output` for the handler to write (on the event loop).
    func takeOutput(now: NIODeadline) -> ByteBuffer? {
        self.state.withLockedValue { state in
            state.flushScheduled = false
            return Self.takeOutput(&state, now: now)
        }
    }

    private static func takeOutput(_ state: inout LockedState, now: NIODeadline) -> ByteBuffer? {
        guard let output = state.output, output.readableBytes > 0 else { return nil }
        state.output = nil
        state.machine.didWrite(now: now)
        return output
    }

    // MARK: - Calls from the channel handler (on its event loop)

    /// Feeds the packets of one read to the state machine, drains what they released and takes
    /// the output to write. Deliveries are appended to `deliveries`.
    func received(
        _ packets: [MQTTPacket],
        decodeError: MQTTCodecError?,
        generation: UInt64,
        _ effects: inout Effects,
        _ deliveries: inout [PublishPacket],
        now: NIODeadline
    ) -> ByteBuffer? {
        self.state.withLockedValue { state in
            for packet in packets {
                self.run(state.machine.receive(packet, generation: generation), &state, &effects, &deliveries)
            }
            if let decodeError {
                self.run(state.machine.decodeFailed(decodeError, generation: generation), &state, &effects, &deliveries)
            }
            self.drainQueue(&state, &effects, &deliveries)
            return Self.takeOutput(&state, now: now)
        }
    }

    /// Feeds one event of the handler to the state machine, drains what it released and takes
    /// the output to write.
    func handle(
        _ effects: inout Effects,
        now: NIODeadline,
        _ event: (inout StateMachine) -> Action
    ) -> ByteBuffer? {
        self.state.withLockedValue { state in
            var deliveries: [PublishPacket] = []
            self.run(event(&state.machine), &state, &effects, &deliveries)
            self.drainQueue(&state, &effects, &deliveries)
            return Self.takeOutput(&state, now: now)
        }
    }

    /// Where the keep-alive timer should fire next.
    var keepAliveDeadline: NIODeadline? {
        self.state.withLockedValue { $0.machine.keepAliveDeadline }
    }

    func channelActive(
        generation: UInt64,
        connection: Connection,
        messages: MQTTMessageStream,
        effects: inout Effects,
        now: NIODeadline
    ) -> ByteBuffer? {
        self.state.withLockedValue { state in
            guard generation == state.machine.generation else {
                effects.close = true
                return nil
            }
            state.connection = connection
            state.messages = messages
            var deliveries: [PublishPacket] = []
            self.run(state.machine.channelActive(generation: generation, now: now), &state, &effects, &deliveries)
            return Self.takeOutput(&state, now: now)
        }
    }

    func channelInactive(generation: UInt64) -> StateMachine.Closed? {
        self.state.withLockedValue { state in
            let closed = state.machine.channelInactive(generation: generation)
            if closed != nil {
                state.connection = nil
                state.output = nil
                state.flushScheduled = false
            }
            return closed
        }
    }

    // MARK: - Performing actions (lock held)

    private func run(
        _ action: Action,
        _ state: inout LockedState,
        _ effects: inout Effects,
        _ deliveries: inout [PublishPacket]
    ) {
        switch action {
        case .none:
            break
        case .write(let packet):
            self.write(packet, &state, &effects, &deliveries)
        case .resume(let waiter, let result):
            effects.resume(waiter, result)
        case .writeAndResume(let packet, let waiter, let result):
            if let error = self.write(packet, &state, &effects, &deliveries) {
                effects.resume(waiter, .failure(error))
            } else {
                effects.resume(waiter, result)
            }
        case .deliver(let packet):
            deliveries.append(packet)
        case .close(let disconnect):
            if let disconnect {
                self.write(.disconnect(disconnect), &state, &effects, &deliveries)
            }
            effects.close = true
        case .resumeAndClose(let waiter, let result):
            effects.resume(waiter, result)
            effects.close = true
        case .batch(let actions):
            for action in actions {
                self.run(action, &state, &effects, &deliveries)
            }
        }
        if case .resume(.connect, .success) = action {
            effects.connected = true
        }
    }

    @discardableResult
    private func write(
        _ packet: MQTTPacket,
        _ state: inout LockedState,
        _ effects: inout Effects,
        _ deliveries: inout [PublishPacket]
    ) -> MQTTClientError? {
        if state.output == nil {
            state.output = self.allocator.buffer(capacity: 4096)
        }
        do {
            try state.output!.writeMQTTPacket(packet, version: self.version)
            effects.wrote = true
            return nil
        } catch {
            self.logger.debug("cannot encode packet", metadata: ["packet": "\(packet.type)", "error": "\(error)"])
            self.run(state.machine.writeFailed(packet, error: error), &state, &effects, &deliveries)
            return MQTTClientError(
                .invalidPacket,
                reasonCode: error.reasonCode,
                detail: error.description,
                underlying: error
            )
        }
    }

    private func drainQueue(_ state: inout LockedState, _ effects: inout Effects, _ deliveries: inout [PublishPacket]) {
        while true {
            let action = state.machine.nextQueuedAction()
            if case .none = action { return }
            self.run(action, &state, &effects, &deliveries)
        }
    }
}
