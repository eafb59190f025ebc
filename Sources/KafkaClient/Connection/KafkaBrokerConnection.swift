import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection to one broker, after the ApiVersions handshake: requests are encoded at
/// the version negotiated for their API and pipelined on the channel.
final class KafkaBrokerConnection: Sendable {
    /// Where the connection goes.
    let address: KafkaBrokerAddress
    /// The per-API versions this connection uses (KIP-35).
    let versions: NegotiatedAPIVersions
    private let channel: any Channel
    private let clientID: String
    private let requestTimeout: TimeAmount
    private let nextCorrelationID = NIOLockedValueBox<Int32>(0)

    private init(
        address: KafkaBrokerAddress,
        channel: any Channel,
        versions: NegotiatedAPIVersions,
        clientID: String,
        requestTimeout: TimeAmount
    ) {
        self.address = address
        self.channel = channel
        self.versions = versions
        self.clientID = clientID
        self.requestTimeout = requestTimeout
    }

    /// Whether the channel is still open.
    var isActive: Bool { self.channel.isActive }

    /// Completes when the connection has closed.
    var closeFuture: EventLoopFuture<Void> { self.channel.closeFuture }

    /// The event loop the channel lives on.
    var eventLoop: any EventLoop { self.channel.eventLoop }

    /// Closes the connection; requests in flight fail with ``KafkaError/Code/connectionClosed``.
    func close() {
        self.channel.close(promise: nil)
    }

    /// Opens a connection and negotiates API versions.
    static func connect(
        to address: KafkaBrokerAddress,
        configuration: KafkaClientConfiguration,
        group: any EventLoopGroup
    ) async throws -> KafkaBrokerConnection {
        let peer = address.description
        let maximumFrameSize = configuration.maximumResponseSize
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try configuration.tls.map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw KafkaError(code: .invalidConfiguration, message: "TLS configuration: \(error)")
        }
        // SNI and certificate name checks want a host name, not an IP address.
        let isIPAddress = (try? SocketAddress(ipAddress: address.host, port: 0)) != nil
        let serverHostname = isIPAddress ? nil : address.host
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(configuration.connectTimeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tlsContext {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname)
                            )
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            KafkaConnectionHandler(peer: peer, maximumFrameSize: maximumFrameSize)
                        )
                    }
                }
                .connect(host: address.host, port: address.port)
                .get()
        } catch {
            throw KafkaError(
                code: .connectionFailed,
                message: "cannot connect to \(peer): \(error)",
                isRetriable: true
            )
        }
        do {
            let versions = try await Self.negotiateVersions(
                channel: channel,
                clientID: configuration.clientID,
                timeout: configuration.connectTimeout.timeAmount,
                peer: peer
            )
            let connection = KafkaBrokerConnection(
                address: address,
                channel: channel,
                versions: versions,
                clientID: configuration.clientID,
                requestTimeout: configuration.requestTimeout.timeAmount
            )
            if let mechanism = configuration.sasl {
                try await connection.authenticate(mechanism)
            }
            return connection
        } catch {
            channel.close(promise: nil)
            throw KafkaError.wrapping(error, "ApiVersions handshake with \(peer)")
        }
    }

    /// KIP-511: send ApiVersions at our highest version; a broker that does not know it answers
    /// UNSUPPORTED_VERSION in v0 form with its own range, and we retry at the highest it knows.
    private static func negotiateVersions(
        channel: any Channel,
        clientID: String,
        timeout: TimeAmount,
        peer: String
    ) async throws -> NegotiatedAPIVersions {
        var version = APIKey.apiVersions.implementedVersions!.upperBound
        for _ in 0..<2 {
            var frame = channel.allocator.buffer(capacity: 64)
            try frame.writeKafkaRequest(ApiVersionsRequest(), version: version, correlationID: 0, clientID: clientID)
            let promise = channel.eventLoop.makePromise(of: KafkaResponseFrame.self)
            let request = KafkaOutboundRequest(correlationID: 0, frame: frame, response: promise, timeout: timeout)
            Self.write(request, to: channel, written: nil, peer: peer)
            let answer = try await promise.futureResult.get()
            let body = try answer.body(apiKey: .apiVersions, version: version)
            let response = try ApiVersionsResponse.decodeAllowingDowngrade(from: body, version: version)
            if response.errorCode == .unsupportedVersion,
                let theirs = response.apiKeys.first(where: { $0.apiKey == .apiVersions }),
                theirs.maxVersion < version
            {
                version = theirs.maxVersion
                continue
            }
            guard response.errorCode.isSuccess else {
                throw KafkaError.broker(response.errorCode, "ApiVersions from \(peer)")
            }
            return NegotiatedAPIVersions(broker: response.apiKeys)
        }
        throw KafkaError(code: .noCommonVersion, message: "\(peer) rejected every ApiVersions version we tried")
    }

    /// The negotiated version for `apiKey`, or a ``KafkaError/Code/noCommonVersion`` error.
    func version(for apiKey: APIKey) throws -> Int16 {
        do {
            return try self.versions.version(for: apiKey)
        } catch {
            throw KafkaError.wrapping(error, "talking to \(self.address)")
        }
    }

    /// Sends a request at the negotiated version and waits for its answer.
    func send<Request: KafkaRequest>(_ request: Request, timeout: Duration? = nil) async throws -> Request.Response {
        try await self.sendFuture(request, timeout: timeout).get()
    }

    /// Sends a request at the negotiated version; the future completes with the decoded answer.
    func sendFuture<Request: KafkaRequest>(
        _ request: Request,
        timeout: Duration? = nil
    ) -> EventLoopFuture<Request.Response> {
        let version: Int16
        do {
            version = try self.version(for: Request.apiKey)
        } catch {
            return self.channel.eventLoop.makeFailedFuture(error)
        }
        let promise = self.channel.eventLoop.makePromise(of: KafkaResponseFrame.self)
        self.write(request, version: version, response: promise, timeout: timeout)
        let peer = self.address
        return promise.futureResult.flatMapThrowing { frame in
            do {
                return try frame.decode(Request.Response.self, version: version)
            } catch {
                throw KafkaError.wrapping(error, "answer from \(peer)")
            }
        }
    }

    /// Sends a request the broker does not answer (Produce with acks=0); the future completes
    /// when the bytes were written.
    func sendWithoutResponse<Request: KafkaRequest>(_ request: Request) -> EventLoopFuture<Void> {
        let version: Int16
        do {
            version = try self.version(for: Request.apiKey)
        } catch {
            return self.channel.eventLoop.makeFailedFuture(error)
        }
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        self.write(request, version: version, response: nil, timeout: nil, written: written)
        return written.futureResult
    }

    private func write<Request: KafkaRequest>(
        _ request: Request,
        version: Int16,
        response: EventLoopPromise<KafkaResponseFrame>?,
        timeout: Duration?,
        written: EventLoopPromise<Void>? = nil
    ) {
        let correlationID = self.nextCorrelationID.withLockedValue { value in
            value = value == Int32.max ? 1 : value + 1
            return value
        }
        var frame = self.channel.allocator.buffer(capacity: 256)
        do {
            try frame.writeKafkaRequest(
                request,
                version: version,
                correlationID: correlationID,
                clientID: self.clientID
            )
        } catch {
            let wrapped = KafkaError.wrapping(error, "encoding \(Request.self)")
            response?.fail(wrapped)
            written?.fail(wrapped)
            return
        }
        let outbound = KafkaOutboundRequest(
            correlationID: correlationID,
            frame: frame,
            response: response,
            timeout: timeout?.timeAmount ?? self.requestTimeout
        )
        Self.write(outbound, to: self.channel, written: written, peer: self.address.description)
    }

    /// Writes a request; if the write fails (the channel closed meanwhile, and with it the
    /// handler that would have failed the request), the request's answer fails too.
    private static func write(
        _ request: KafkaOutboundRequest,
        to channel: any Channel,
        written: EventLoopPromise<Void>?,
        peer: String
    ) {
        let promise = written ?? channel.eventLoop.makePromise(of: Void.self)
        if let response = request.response {
            promise.futureResult.whenFailure { error in
                response.fail(
                    KafkaError(
                        code: .connectionClosed,
                        message: "cannot send to \(peer): \(error)",
                        isRetriable: true
                    )
                )
            }
        }
        channel.writeAndFlush(request, promise: promise)
    }
}
