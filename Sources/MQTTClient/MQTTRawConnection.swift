import DequeModule
import MQTTCodec
import NIOCore
import NIOPosix

/// A bare TCP connection that speaks MQTT packets without any protocol logic: it sends whatever
/// it is given (including packets a client never would, and raw bytes) and hands back what the
/// server sends, decoded with the client-role decoder. For tests and tools that check a
/// broker's exact behaviour: reason codes, protocol errors, when it closes the connection.
///
/// Nothing is answered automatically: no PUBACK, no PINGREQ.
public final class MQTTRawConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<MQTTRawConnectionHandler>

    private init(channel: any Channel, handler: NIOLoopBound<MQTTRawConnectionHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Opens a TCP connection to `host:port`.
    ///
    /// - Parameter protocolVersion: the version to decode the server's packets in. Leave it nil
    ///   when the first thing sent is a CONNECT through ``send(_:version:)``: that sets it.
    public static func connect(
        host: String,
        port: Int,
        protocolVersion: MQTTProtocolVersion? = nil,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MQTTRawConnection {
        // The handler is taken while the pipeline is built: a server that closes at once (a
        // connect timeout under load) must show up as a closed connection, not a missing handler.
        let (channel, handler) = try await ClientBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = MQTTRawConnectionHandler(protocolVersion: protocolVersion)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        return MQTTRawConnection(channel: channel, handler: handler)
    }

    /// Sets the protocol version received packets are decoded in (needed after sending a CONNECT
    /// as raw bytes).
    public func setProtocolVersion(_ version: MQTTProtocolVersion) async throws {
        try await self.channel.eventLoop.submit { [handler] in
            handler.value.decoder.protocolVersion = version
        }.get()
    }

    /// Encodes `packet` in `version` and writes it. Sending a CONNECT also sets the version
    /// received packets are decoded in to that of the CONNECT.
    ///
    /// - Throws: the codec's error when the packet cannot be encoded (use ``sendRaw(_:)`` for
    ///   malformed packets), or a channel error when the connection is closed.
    public func send(_ packet: MQTTPacket, version: MQTTProtocolVersion) async throws {
        var buffer = self.channel.allocator.buffer(capacity: packet.encodedSize(version: version))
        try buffer.writeMQTTPacket(packet, version: version)
        let bytes = buffer
        try await self.channel.eventLoop.flatSubmit { [handler, channel] in
            if case .connect(let connect) = packet {
                handler.value.decoder.protocolVersion = connect.protocolVersion
            }
            return channel.writeAndFlush(bytes)
        }.get()
    }

    /// Writes bytes as they are.
    public func sendRaw(_ bytes: ByteBuffer) async throws {
        try await self.channel.writeAndFlush(bytes)
    }

    /// The next packet the server sent, or nil when the server closed the connection (after
    /// every packet before the close was received).
    ///
    /// - Throws: ``MQTTClientError`` `.timeout` when nothing arrived in time; the decoder's
    ///   ``MQTTCodecError`` when the server sent bytes it refuses (decoding stops there).
    public func receive(timeout: Duration = .seconds(10)) async throws -> MQTTPacket? {
        let eventLoop = self.channel.eventLoop
        return try await eventLoop.flatSubmit { [handler] in
            let promise = eventLoop.makePromise(of: MQTTPacket?.self)
            handler.value.receive(promise: promise, timeout: TimeAmount(timeout))
            return promise.futureResult
        }.get()
    }

    /// Waits until the connection is closed (by the server, or after ``close()``).
    ///
    /// - Throws: ``MQTTClientError`` `.timeout` when it is still open after `timeout`.
    public func waitForClose(timeout: Duration = .seconds(10)) async throws {
        let eventLoop = self.channel.eventLoop
        let promise = eventLoop.makePromise(of: Void.self)
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(MQTTClientError(.timeout, detail: "connection still open after \(timeout)"))
        }
        self.channel.closeFuture.whenComplete { _ in
            timer.cancel()
            promise.succeed()
        }
        try await promise.futureResult.get()
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { self.channel.isActive }

    /// Closes the connection (without DISCONNECT) and waits until it is closed.
    public func close() async {
        self.channel.close(promise: nil)
        try? await self.channel.closeFuture.get()
    }
}

/// Decodes what the server sends and queues it for ``MQTTRawConnection/receive(timeout:)``.
final class MQTTRawConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    var decoder: MQTTPacketDecoder
    private var buffer: ByteBuffer?
    private var received: Deque<Result<MQTTPacket, any Error>> = []
    private var decodingFailed = false
    private var closed = false
    private var waiter: (promise: EventLoopPromise<MQTTPacket?>, timeout: Scheduled<Void>)?

    init(protocolVersion: MQTTProtocolVersion?) {
        self.decoder = MQTTPacketDecoder(role: .client, protocolVersion: protocolVersion)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var input = self.unwrapInboundIn(data)
        guard !self.decodingFailed else { return }
        if self.buffer == nil {
            self.buffer = input
        } else {
            self.buffer!.writeBuffer(&input)
        }
        self.decodeAvailable()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.closed = true
        self.completeWaiter()
        context.fireChannelInactive()
    }

    func receive(promise: EventLoopPromise<MQTTPacket?>, timeout: TimeAmount) {
        precondition(self.waiter == nil, "only one receive at a time")
        let timer = promise.futureResult.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            guard let waiter = self.waiter else { return }
            self.waiter = nil
            waiter.promise.fail(MQTTClientError(.timeout, detail: "no packet within \(timeout)"))
        }
        self.waiter = (promise, timer)
        self.completeWaiter()
    }

    private func decodeAvailable() {
        guard !self.decodingFailed, var buffer = self.buffer else { return }
        self.buffer = nil
        do {
            while let packet = try self.decoder.decodePacket(from: &buffer) {
                self.received.append(.success(packet))
            }
        } catch {
            self.received.append(.failure(error))
            self.decodingFailed = true
        }
        buffer.discardReadBytes()
        self.buffer = buffer
        self.completeWaiter()
    }

    private func completeWaiter() {
        guard let waiter = self.waiter else { return }
        if let next = self.received.popFirst() {
            self.waiter = nil
            waiter.timeout.cancel()
            waiter.promise.completeWith(next.map { Optional($0) })
        } else if self.closed {
            self.waiter = nil
            waiter.timeout.cancel()
            waiter.promise.succeed(nil)
        }
    }
}
