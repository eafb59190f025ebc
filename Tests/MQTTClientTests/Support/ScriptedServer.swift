import MQTTCodec
import NIOCore
import NIOPosix
import Testing

/// A test server that does exactly what the test says: accepts connections on an ephemeral
/// loopback port, decodes what the client sends (server role) and sends chosen packets back.
/// For behaviour Mosquitto cannot be made to show (a DISCONNECT with a chosen reason code, a
/// topic alias towards the client, a missing PINGRESP, a session resumed on demand).
enum ScriptedServer {
    /// Runs `script` with a listening server and its port; closes the server afterwards.
    static func with<T: Sendable>(
        _ script: @escaping @Sendable (_ port: Int, _ connections: Connections) async throws -> T
    ) async throws -> T {
        let (accepted, acceptor) = AsyncStream.makeStream(of: ScriptedConnection.self)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let (packets, sink) = AsyncThrowingStream.makeStream(of: MQTTPacket.self)
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(MQTTPacketDecoder(role: .server))
                    )
                    try channel.pipeline.syncOperations.addHandler(PacketSink(sink))
                    acceptor.yield(ScriptedConnection(channel: channel, packets: packets))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        defer { server.close(promise: nil) }
        let port = try #require(server.localAddress?.port)
        return try await withDeadline(seconds: 60, "scripted server") {
            try await script(port, Connections(accepted.makeAsyncIterator()))
        }
    }

    /// Hands out accepted connections in order.
    final class Connections: @unchecked Sendable {
        // Used by the script's task only.
        private var iterator: AsyncStream<ScriptedConnection>.AsyncIterator

        init(_ iterator: AsyncStream<ScriptedConnection>.AsyncIterator) {
            self.iterator = iterator
        }

        func next() async throws -> ScriptedConnection {
            guard let connection = await self.iterator.next() else { throw TestFailure("server closed") }
            return connection
        }
    }

    /// Passes decoded packets to the connection's stream.
    private final class PacketSink: ChannelInboundHandler, Sendable {
        typealias InboundIn = MQTTPacket
        let sink: AsyncThrowingStream<MQTTPacket, any Error>.Continuation

        init(_ sink: AsyncThrowingStream<MQTTPacket, any Error>.Continuation) { self.sink = sink }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.sink.yield(self.unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.sink.finish()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.sink.finish(throwing: error)
            context.close(promise: nil)
        }
    }
}

/// One accepted connection of ``ScriptedServer``.
final class ScriptedConnection: @unchecked Sendable {
    // Used by the script's task only.
    private let channel: any Channel
    private var packets: AsyncThrowingStream<MQTTPacket, any Error>.AsyncIterator
    var version: MQTTProtocolVersion = .v5

    init(channel: any Channel, packets: AsyncThrowingStream<MQTTPacket, any Error>) {
        self.channel = channel
        self.packets = packets.makeAsyncIterator()
    }

    /// The next packet from the client, nil when it closed the connection.
    func receive() async throws -> MQTTPacket? {
        try await self.packets.next()
    }

    /// Receives CONNECT and answers with `connack`.
    @discardableResult
    func accept(_ connack: ConnAckPacket = ConnAckPacket()) async throws -> ConnectPacket {
        guard case .connect(let connect) = try await self.receive() else { throw TestFailure("expected CONNECT") }
        self.version = connect.protocolVersion
        try await self.send(.connack(connack))
        return connect
    }

    func send(_ packet: MQTTPacket) async throws {
        var buffer = self.channel.allocator.buffer(capacity: 64)
        try buffer.writeMQTTPacket(packet, version: self.version)
        try await self.channel.writeAndFlush(buffer)
    }

    func close() async {
        try? await self.channel.close()
    }
}
