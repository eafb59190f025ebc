import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A TCP proxy in front of tansu that can cut connections: every connection is forwarded to
/// the target port, and after each `cutEvery` bytes sent by clients, the connection that
/// crossed the mark is closed right after its bytes were forwarded — so the broker has the
/// request while the client never sees the answer.
final class TansuProxy: Sendable {
    let port: Int
    private let server: any Channel
    private let state: NIOLockedValueBox<State>

    private struct State {
        var targetPort: Int?
        var cutEvery: Int?
        var clientBytes = 0
        var nextCut = 0
        var cuts = 0
        /// An outage: every connection is dropped and new ones are closed at once.
        var refusing = false
        var pairs: [ObjectIdentifier: (any Channel, any Channel)] = [:]
    }

    private init(port: Int, server: any Channel, state: NIOLockedValueBox<State>) {
        self.port = port
        self.server = server
        self.state = state
    }

    /// Connections cut so far.
    var cuts: Int { self.state.withLockedValue { $0.cuts } }

    /// Where connections go (set once the target is known).
    func setTarget(port: Int) {
        self.state.withLockedValue { $0.targetPort = port }
    }

    /// Starts or stops cutting (nil: forward without cuts).
    func cut(every bytes: Int?) {
        self.state.withLockedValue { state in
            state.cutEvery = bytes
            state.nextCut = state.clientBytes + (bytes ?? 0)
        }
    }

    /// Starts an outage: drops every connection and refuses new ones until `endOutage()`.
    func startOutage() {
        let pairs = self.state.withLockedValue { state in
            state.refusing = true
            defer { state.pairs.removeAll() }
            return Array(state.pairs.values)
        }
        for (inbound, outbound) in pairs {
            inbound.close(promise: nil)
            outbound.close(promise: nil)
        }
    }

    /// Ends the outage: connections are forwarded again.
    func endOutage() {
        self.state.withLockedValue { $0.refusing = false }
    }

    /// Starts the proxy; with `tls`, clients must speak TLS to it (it forwards plain TCP).
    static func start(tls: NIOSSLContext? = nil) async throws -> TansuProxy {
        let state = NIOLockedValueBox(State())
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard let target = state.withLockedValue({ $0.refusing ? nil : $0.targetPort }) else {
                    return inbound.close()
                }
                if let tls {
                    do {
                        try inbound.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    } catch {
                        return inbound.eventLoop.makeFailedFuture(error)
                    }
                }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: target)
                    .flatMap { outbound in
                        let key = ObjectIdentifier(inbound)
                        state.withLockedValue { $0.pairs[key] = (inbound, outbound) }
                        inbound.closeFuture.whenComplete { _ in
                            _ = state.withLockedValue { $0.pairs.removeValue(forKey: key) }
                        }
                        return outbound.pipeline.addHandler(Forwarder(partner: inbound, state: nil))
                            .flatMap { inbound.pipeline.addHandler(Forwarder(partner: outbound, state: state)) }
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TansuProxy(port: server.localAddress!.port!, server: server, state: state)
    }

    func stop() {
        let pairs = self.state.withLockedValue { state in
            defer { state.pairs.removeAll() }
            return Array(state.pairs.values)
        }
        for (inbound, outbound) in pairs {
            inbound.close(promise: nil)
            outbound.close(promise: nil)
        }
        self.server.close(promise: nil)
    }

    /// Copies bytes to the partner channel; on the client side it counts bytes and cuts.
    private final class Forwarder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let partner: any Channel
        let state: NIOLockedValueBox<State>?

        init(partner: any Channel, state: NIOLockedValueBox<State>?) {
            self.partner = partner
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = self.unwrapInboundIn(data)
            let cut =
                self.state?.withLockedValue { state -> Bool in
                    state.clientBytes += buffer.readableBytes
                    guard let every = state.cutEvery, state.clientBytes >= state.nextCut else { return false }
                    state.nextCut = state.clientBytes + every
                    state.cuts += 1
                    return true
                } ?? false
            let partner = self.partner
            let channel = context.channel
            partner.writeAndFlush(buffer).whenComplete { _ in
                guard cut else { return }
                // Give the broker a moment to read the request before both ends go.
                partner.eventLoop.scheduleTask(in: .milliseconds(2)) {
                    channel.close(promise: nil)
                    partner.close(promise: nil)
                }
            }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.partner.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
