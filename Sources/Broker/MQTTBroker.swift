import Atomics
import Bridge
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import Store

/// The MQTT broker: listeners, sessions, routing. Run it as a ServiceLifecycle `Service`, or call
/// `start()` and `shutdown()` yourself (tests do).
public final class MQTTBroker: Service, Sendable {
    let context: BrokerContext
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let state = NIOLockedValueBox(State())
    private let connections = ConnectionTracker()

    private struct State {
        var serverChannels: [any Channel] = []
        var systemTopicsTask: RepeatedTask?
        var started = false
    }

    /// Opens the durable store when `configuration.dataDirectory` is set and puts back the
    /// sessions and retained messages it holds.
    ///
    /// - Parameters:
    ///   - bridge: MQTT → Kafka mappings; every routed message is offered to it, and QoS 1/2
    ///     acknowledgements wait for Kafka where a mapping matched. Run it as a service too.
    ///   - eventLoopGroup: the group to run on; by default the broker makes one with
    ///     `configuration.eventLoopThreads` threads and shuts it down with itself.
    /// - Throws: `StoreError` when the store cannot be opened or read (`.inUse`: another broker
    ///   has this data directory).
    ///   - store: the store opened by `openStore(configuration:logger:)`, when the caller shares
    ///     it (the bridge's spool lives there too); nil: the broker opens its own.
    public init(
        configuration: BrokerConfiguration,
        store sharedStore: DurableStore? = nil,
        bridge: MQTTKafkaBridge? = nil,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "tributary.mqtt")
    ) throws {
        let store = try sharedStore ?? Self.openStore(configuration: configuration, logger: logger)
        let recovered = try store?.recover()
        if let eventLoopGroup {
            self.group = eventLoopGroup
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.eventLoopThreads))
            self.ownsGroup = true
        }
        self.context = BrokerContext(
            configuration: configuration,
            eventLoopGroup: group,
            store: store,
            bridge: bridge,
            logger: logger
        )
        if let recovered {
            context.restore(recovered)
        }
    }

    /// The durable store of `configuration.dataDirectory`, or nil when there is none.
    ///
    /// - Throws: `StoreError` (`.inUse`: another broker has this data directory).
    public static func openStore(configuration: BrokerConfiguration, logger: Logger) throws -> DurableStore? {
        guard let directory = configuration.dataDirectory else { return nil }
        return try DurableStore(
            directory: directory,
            synchronization: configuration.durability == .fsync ? .fsync : .process,
            logger: logger
        )
    }

    /// Binds every listener and returns the bound addresses (in the order of the configuration).
    @discardableResult
    public func start() async throws -> [SocketAddress] {
        let context = self.context
        if let error = context.authenticator.loadError { throw error }
        let connections = self.connections
        // Every listener's TLS files are read before anything binds: a bad file stops the start.
        var pipelines: [ListenerPipeline] = []
        for listener in context.configuration.listeners {
            let pipeline = try ListenerPipeline(
                listener: listener,
                configuration: context.configuration,
                logger: context.logger
            ) { channel, identity in
                let handler = MQTTConnectionHandler(
                    broker: context,
                    allocator: channel.allocator,
                    transport: identity,
                    ingestOnly: listener.ingestOnly
                )
                connections.track(channel, handler: handler)
                return handler
            }
            pipelines.append(pipeline)
        }

        var channels: [any Channel] = []
        do {
            for pipeline in pipelines {
                let channel = try await ServerBootstrap(group: group)
                    .serverChannelOption(.backlog, value: 1024)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                    .childChannelOption(.maxMessagesPerRead, value: 16)
                    // Idle devices are the common case: start each connection's read buffer small
                    // (NIO's default is 2 KiB, kept alive by the decoder between reads) and let
                    // busy connections grow theirs.
                    .childChannelOption(
                        .recvAllocator,
                        value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65_536)
                    )
                    .childChannelInitializer { pipeline.initialize($0) }
                    .bind(host: pipeline.listener.host, port: pipeline.listener.port).get()
                channels.append(channel)
                context.logger.info(
                    "MQTT listener ready",
                    metadata: [
                        "address": "\(channel.localAddress!)",
                        "kind": "\(pipeline.listener.kind.transport.rawValue)",
                    ]
                )
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }

        let interval = context.configuration.systemTopicsIntervalSeconds
        let systemTopicsTask: RepeatedTask? =
            interval > 0
            ? {
                let systemTopics = NIOLockedValueBox(SystemTopics())
                return group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(Int64(interval))) { _ in
                    systemTopics.withLockedValue { _ = $0.publishChanges(of: context) }
                }
            }() : nil

        state.withLockedValue {
            $0.serverChannels = channels
            $0.systemTopicsTask = systemTopicsTask
            $0.started = true
        }
        return channels.compactMap(\.localAddress)
    }

    /// Stops accepting, tells connected v5 clients the server is shutting down (0x8B), closes
    /// every connection and, if the broker made its event loop group, shuts that down.
    public func shutdown() async throws {
        let stopped = state.withLockedValue { state in
            let previous = state
            state = State()
            return previous
        }
        let (channels, task, wasStarted) = (stopped.serverChannels, stopped.systemTopicsTask, stopped.started)
        task?.cancel()
        for channel in channels {
            try? await channel.close()
        }
        if wasStarted {
            await connections.closeAll(timeout: .seconds(5))
        }
        context.store?.close()
        if ownsGroup {
            try await group.shutdownGracefully()
        }
    }

    public func run() async throws {
        try await start()
        // Returns on graceful shutdown; throws CancellationError on cancellation. Either way, stop.
        try? await gracefulShutdown()
        try await shutdown()
    }

    // MARK: Introspection (tests, $SYS, metrics)

    /// Connections currently open.
    public var connectionCount: Int { context.statistics.connectionsCurrent.current }
    /// Sessions known, connected or not.
    public var sessionCount: Int { context.sessionCount }
    /// Subscriptions across all sessions.
    public var subscriptionCount: Int { context.router.subscriptionCount }
    /// Topics with a retained message.
    public var retainedMessageCount: Int { context.retained.count }

    /// What the transport established about each open connection (its listener kind, a verified
    /// client certificate's Common Name): lets tests and the admin API see the identity the
    /// authentication step receives.
    public func transportIdentities() async -> [TransportIdentity] {
        await connections.transportIdentities()
    }
}

/// The open connections, so shutdown can close them.
private final class ConnectionTracker: Sendable {
    private struct Entry {
        var channel: any Channel
        var handler: NIOLoopBound<MQTTConnectionHandler>
    }

    private let entries = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])

    func track(_ channel: any Channel, handler: MQTTConnectionHandler) {
        let key = ObjectIdentifier(channel)
        let entry = Entry(channel: channel, handler: NIOLoopBound(handler, eventLoop: channel.eventLoop))
        entries.withLockedValue { $0[key] = entry }
        channel.closeFuture.whenComplete { [entries] _ in
            entries.withLockedValue { _ = $0.removeValue(forKey: key) }
        }
    }

    func transportIdentities() async -> [TransportIdentity] {
        let open = entries.withLockedValue { Array($0.values) }
        var identities: [TransportIdentity] = []
        for entry in open {
            let handler = entry.handler
            if let identity = try? await entry.channel.eventLoop.submit({ handler.value.transport }).get() {
                identities.append(identity)
            }
        }
        return identities
    }

    func closeAll(timeout: TimeAmount) async {
        let open = entries.withLockedValue { Array($0.values) }
        for entry in open {
            let handler = entry.handler
            entry.channel.eventLoop.execute { handler.value.serverShuttingDown() }
        }
        for entry in open {
            let closed = entry.channel.closeFuture
            let deadline = entry.channel.eventLoop.scheduleTask(in: timeout) {
                entry.channel.close(promise: nil)
            }
            try? await closed.get()
            deadline.cancel()
        }
    }
}
