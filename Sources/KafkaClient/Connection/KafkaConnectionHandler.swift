import KafkaProtocol
import NIOCore

/// One request on its way to a broker: the encoded frame, and where its answer goes.
struct KafkaOutboundRequest {
    var correlationID: Int32
    var frame: ByteBuffer
    /// Completed with the answer frame; nil for a request the broker does not answer
    /// (Produce with acks=0, protocol guide: "the server will not send any response").
    var response: EventLoopPromise<KafkaResponseFrame>?
    /// How long to wait for the answer before failing it and closing the connection.
    var timeout: TimeAmount
}

/// The pipeline end of a broker connection: writes request frames, splits the byte stream
/// into response frames (``KafkaFrameDecoder``) and hands each to the promise waiting under its
/// correlation id. Any number of requests may be in flight (pipelining); Kafka answers them in
/// order, but matching by id also catches a broker that does not.
///
/// A request that times out closes the connection, as the Java client does: answers still in
/// flight would otherwise arrive for requests nobody waits for. When the connection closes,
/// every waiting request fails with a retriable ``KafkaError/Code/connectionClosed``.
final class KafkaConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = KafkaOutboundRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var promise: EventLoopPromise<KafkaResponseFrame>
        var timeout: Scheduled<Void>
    }

    private var processor: NIOSingleStepByteToMessageProcessor<KafkaFrameDecoder>
    private var pending: [Int32: Pending] = [:]
    /// Set once the connection is unusable; later writes fail with it.
    private var failure: KafkaError?
    private let peer: String

    init(peer: String, maximumFrameSize: Int) {
        self.peer = peer
        self.processor = NIOSingleStepByteToMessageProcessor(KafkaFrameDecoder(maximumFrameSize: maximumFrameSize))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        if let failure = self.failure {
            request.response?.fail(failure)
            promise?.fail(failure)
            return
        }
        if let response = request.response {
            let id = request.correlationID
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let timeout = context.eventLoop.scheduleTask(in: request.timeout) {
                let (handler, context) = bound.value
                handler.timedOut(correlationID: id, after: request.timeout, context: context)
            }
            self.pending[id] = Pending(promise: response, timeout: timeout)
        }
        context.writeAndFlush(self.wrapOutboundOut(request.frame), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = self.unwrapInboundIn(data)
        do {
            try self.processor.process(buffer: buffer) { frame in
                guard let pending = self.pending.removeValue(forKey: frame.correlationID) else {
                    throw KafkaError(
                        code: .protocolViolation,
                        message: "\(self.peer) answered correlation id \(frame.correlationID), which no request has"
                    )
                }
                pending.timeout.cancel()
                pending.promise.succeed(frame)
            }
        } catch {
            self.fail(KafkaError.wrapping(error, "reading from \(self.peer)"), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(
            KafkaError(code: .connectionClosed, message: "connection to \(self.peer) closed", isRetriable: true)
        )
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.fail(KafkaError.wrapping(error, "connection to \(self.peer)"), context: context)
    }

    private func timedOut(correlationID: Int32, after timeout: TimeAmount, context: ChannelHandlerContext) {
        guard let pending = self.pending.removeValue(forKey: correlationID) else { return }
        let error = KafkaError(
            code: .requestTimedOut,
            message: "no answer from \(self.peer) within \(timeout.nanoseconds / 1_000_000) ms",
            isRetriable: true
        )
        pending.promise.fail(error)
        self.fail(error, context: context)
    }

    private func fail(_ error: KafkaError, context: ChannelHandlerContext) {
        self.failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: KafkaError) {
        if self.failure == nil { self.failure = error }
        let pending = self.pending
        self.pending.removeAll()
        for entry in pending.values {
            entry.timeout.cancel()
            entry.promise.fail(error)
        }
    }
}
