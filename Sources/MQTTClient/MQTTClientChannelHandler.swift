import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore

/// The one place where ``MQTTClient`` does I/O: decodes what the server sends, feeds it to the
/// state machine through ``MQTTClientCore``, writes what the core encoded, yields received
/// messages to `messages`, runs the keep-alive timer and closes the channel.
///
/// Backpressure: when the message buffer is full (`yield` answers `.stopProducing`) the handler
/// holds back `read()`, so the socket is not read until the consumer catches up and the
/// sequence asks for more (`produceMore`).
final class MQTTClientChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let core: MQTTClientCore
    private let generation: UInt64
    private let acknowledgementMode: MQTTClient.AcknowledgementMode
    private let messageBufferSize: Int
    private var connectTimeout: Scheduled<Void>?
    private let processor: NIOSingleStepByteToMessageProcessor<MQTTPacketDecoder>

    private var context: ChannelHandlerContext?
    private var source: MQTTMessageProducer.Source?
    private var stream: MQTTMessageStream?
    private var readsPaused = false
    private var readPending = false
    private var closing = false
    private var keepAliveTask: Scheduled<Void>?

    // Reused for every read, so a read costs no allocation beyond the packets themselves.
    private var inbound: [MQTTPacket] = []
    private var deliveries: [PublishPacket] = []
    private var effects = MQTTClientCore.Effects()

    init(
        core: MQTTClientCore,
        generation: UInt64,
        maximumPacketSize: Int,
        acknowledgementMode: MQTTClient.AcknowledgementMode,
        messageBufferSize: Int,
        connectTimeout: Scheduled<Void>?
    ) {
        self.core = core
        self.generation = generation
        self.acknowledgementMode = acknowledgementMode
        self.messageBufferSize = max(1, messageBufferSize)
        self.connectTimeout = connectTimeout
        self.processor = NIOSingleStepByteToMessageProcessor(
            MQTTPacketDecoder(role: .client, protocolVersion: core.version, maximumPacketSize: maximumPacketSize)
        )
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let delegate = MQTTMessagesDelegate(
            handler: NIOLoopBound(self, eventLoop: context.eventLoop),
            eventLoop: context.eventLoop
        )
        let producer = MQTTMessageProducer.makeSequence(
            backPressureStrategy: .init(
                lowWatermark: max(1, self.messageBufferSize / 4),
                highWatermark: self.messageBufferSize
            ),
            finishOnDeinit: false,
            delegate: delegate
        )
        self.source = producer.source
        self.stream = MQTTMessageStream(
            sequence: producer.sequence,
            core: self.core,
            generation: self.generation,
            acknowledgementMode: self.acknowledgementMode
        )
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.finishMessages(nil)
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if let stream = self.stream {
            let connection = MQTTClientCore.Connection(
                channel: context.channel,
                handler: NIOLoopBound(self, eventLoop: context.eventLoop)
            )
            let output = self.core.channelActive(
                generation: self.generation,
                connection: connection,
                messages: stream,
                effects: &self.effects,
                now: .now()
            )
            self.perform(output, context: context, flush: true)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.keepAliveTask?.cancel()
        self.connectTimeout?.cancel()
        if let closed = self.core.channelInactive(generation: self.generation) {
            if let error = closed.messagesError {
                // An end nobody asked for: worth seeing in an operator's log.
                self.core.logger.info("MQTT connection closed", metadata: ["error": "\(error)"])
            } else {
                self.core.logger.debug("MQTT connection closed")
            }
            for waiter in closed.failed {
                waiter.resume(with: .failure(closed.error))
            }
            for closeWaiter in closed.closeWaiters {
                closeWaiter.resume(with: .success(.closed))
            }
            self.finishMessages(closed.messagesError)
        } else {
            self.finishMessages(nil)
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.closing else { return }
        let buffer = self.unwrapInboundIn(data)
        var decodeError: MQTTCodecError?
        do {
            try self.processor.process(buffer: buffer) { packet in
                self.inbound.append(packet)
            }
        } catch let error as MQTTCodecError {
            decodeError = error
        } catch {
            decodeError = MQTTCodecError(reasonCode: .malformedPacket, detail: "\(error)")
        }
        let output = self.core.received(
            self.inbound,
            decodeError: decodeError,
            generation: self.generation,
            &self.effects,
            &self.deliveries,
            now: .now()
        )
        self.inbound.removeAll(keepingCapacity: true)
        // Flushed once in channelReadComplete, for all reads of this tick.
        self.perform(output, context: context, flush: false)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let isWritable = context.channel.isWritable
        let output = self.core.handle(&self.effects, now: .now()) { machine in
            machine.channelWritabilityChanged(isWritable: isWritable)
            return .none
        }
        self.perform(output, context: context, flush: true)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.core.logger.debug("MQTT connection error", metadata: ["error": "\(error)"])
        let generation = self.generation
        self.core.state.withLockedValue { $0.machine.channelError(error, generation: generation) }
        self.closing = true
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if self.readsPaused {
            self.readPending = true
        } else {
            context.read()
        }
    }

    // MARK: - Called through the core and the message sequence (on the event loop)

    /// Writes what callers encoded since the last flush; closes the channel afterwards if asked.
    func flushOutput(thenClose close: Bool) {
        guard let context = self.context else { return }
        if let output = self.core.takeOutput(now: .now()) {
            context.write(self.wrapOutboundOut(output), promise: nil)
            context.flush()
        }
        if close {
            self.closing = true
            context.close(promise: nil)
        }
    }

    /// The consumer of `messages` wants more, or stopped consuming: read from the socket again.
    func resumeReading() {
        guard self.readsPaused else { return }
        self.readsPaused = false
        if self.readPending, let context = self.context {
            self.readPending = false
            context.read()
        }
    }

    // MARK: - Private

    private func perform(_ output: ByteBuffer?, context: ChannelHandlerContext, flush: Bool) {
        self.effects.performResumptions()
        if !self.deliveries.isEmpty {
            if let source = self.source {
                switch source.yield(contentsOf: self.deliveries) {
                case .produceMore:
                    break
                case .stopProducing:
                    self.readsPaused = true
                case .dropped:
                    // Nobody consumes `messages` any more: the messages are dropped, and QoS 1/2
                    // ones stay unacknowledged (the server redelivers them to a later session).
                    break
                }
            }
            self.deliveries.removeAll(keepingCapacity: true)
        }
        if let output {
            context.write(self.wrapOutboundOut(output), promise: nil)
            if flush { context.flush() }
        }
        self.effects.wrote = false
        if self.effects.connected {
            self.effects.connected = false
            self.core.logger.debug("MQTT connection established", metadata: ["generation": "\(self.generation)"])
            self.connectTimeout?.cancel()
            self.connectTimeout = nil
            self.scheduleKeepAlive(context: context)
        }
        if self.effects.close {
            self.effects.close = false
            self.closing = true
            context.flush()
            context.close(promise: nil)
        }
    }

    private func scheduleKeepAlive(context: ChannelHandlerContext) {
        self.keepAliveTask?.cancel()
        guard let deadline = self.core.keepAliveDeadline else { return }
        self.keepAliveTask = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.keepAliveTimerFired()
        }
    }

    private func keepAliveTimerFired() {
        guard let context = self.context, !self.closing else { return }
        let now = NIODeadline.now()
        let readsPaused = self.readsPaused
        let output = self.core.handle(&self.effects, now: now) { machine in
            machine.keepAliveTimerFired(now: now, readsPaused: readsPaused)
        }
        self.perform(output, context: context, flush: true)
        if !self.closing {
            self.scheduleKeepAlive(context: context)
        }
    }

    private func finishMessages(_ error: MQTTClientError?) {
        guard let source = self.source else { return }
        self.source = nil
        self.stream = nil
        if let error {
            source.finish(error)
        } else {
            source.finish()
        }
    }
}

/// Lets the message sequence ask the handler to read again.
struct MQTTMessagesDelegate: NIOAsyncSequenceProducerDelegate {
    let handler: NIOLoopBound<MQTTClientChannelHandler>
    let eventLoop: any EventLoop

    func produceMore() {
        self.eventLoop.execute { self.handler.value.resumeReading() }
    }

    func didTerminate() {
        // The consumer is gone; keep reading so that acknowledgements of our own PUBLISHes and
        // PINGRESPs still arrive.
        self.eventLoop.execute { self.handler.value.resumeReading() }
    }
}
