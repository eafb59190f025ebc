import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A scripted broker on a loopback port for connection tests: it answers ApiVersions with the
/// ranges it is given, and Metadata requests as ``MetadataMode`` says (echoing the requested
/// topic names, so a test can tell which answer belongs to which request).
final class FakeKafkaBroker: Sendable {
    enum MetadataMode: Sendable {
        /// Answer each request at once.
        case inOrder
        /// Hold requests until `count` arrived, then answer them last first.
        case reversed(count: Int)
        /// Never answer.
        case never
    }

    let port: Int
    private let server: any Channel

    private init(port: Int, server: any Channel) {
        self.port = port
        self.server = server
    }

    static func start(
        apiVersions: [ApiVersionsResponse.APIVersion] = FakeKafkaBroker.allImplemented,
        metadata: MetadataMode
    ) async throws -> FakeKafkaBroker {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(RequestFrameDecoder())
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        Responder(apiVersions: apiVersions, mode: metadata)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return FakeKafkaBroker(port: server.localAddress!.port!, server: server)
    }

    func stop() {
        self.server.close(promise: nil)
    }

    static var allImplemented: [ApiVersionsResponse.APIVersion] {
        APIKey.implemented.map {
            .init(
                apiKey: $0,
                minVersion: $0.implementedVersions!.lowerBound,
                maxVersion: $0.implementedVersions!.upperBound
            )
        }
    }

    /// Splits the byte stream into request frames (without the size prefix).
    private struct RequestFrameDecoder: ByteToMessageDecoder {
        typealias InboundOut = ByteBuffer

        mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
            guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self),
                buffer.readableBytes >= 4 + Int(size)
            else { return .needMoreData }
            buffer.moveReaderIndex(forwardBy: 4)
            context.fireChannelRead(NIOAny(buffer.readSlice(length: Int(size))!))
            return .continue
        }
    }

    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let apiVersions: [ApiVersionsResponse.APIVersion]
        let mode: MetadataMode
        var held: [ByteBuffer] = []

        init(apiVersions: [ApiVersionsResponse.APIVersion], mode: MetadataMode) {
            self.apiVersions = apiVersions
            self.mode = mode
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var frame = self.unwrapInboundIn(data)
            do {
                let header = try KafkaRequestHeader(from: &frame)
                var out = context.channel.allocator.buffer(capacity: 256)
                switch header.apiKey {
                case .apiVersions:
                    try out.writeKafkaResponse(
                        ApiVersionsResponse(apiKeys: self.apiVersions),
                        version: header.apiVersion,
                        correlationID: header.correlationID
                    )
                case .metadata:
                    let request = try MetadataRequest.decode(from: frame, version: header.apiVersion)
                    let response = MetadataResponse(
                        brokers: [.init(nodeID: 1, host: "127.0.0.1", port: 1)],
                        controllerID: 1,
                        topics: (request.topics ?? []).map {
                            .init(errorCode: .unknownTopicOrPartition, name: $0.name, partitions: [])
                        }
                    )
                    try out.writeKafkaResponse(
                        response,
                        version: header.apiVersion,
                        correlationID: header.correlationID
                    )
                default:
                    return
                }
                guard header.apiKey == .metadata else {
                    context.writeAndFlush(self.wrapOutboundOut(out), promise: nil)
                    return
                }
                switch self.mode {
                case .inOrder:
                    context.writeAndFlush(self.wrapOutboundOut(out), promise: nil)
                case .reversed(let count):
                    self.held.append(out)
                    if self.held.count == count {
                        for answer in self.held.reversed() { context.write(self.wrapOutboundOut(answer), promise: nil) }
                        context.flush()
                        self.held.removeAll()
                    }
                case .never:
                    break
                }
            } catch {
                context.close(promise: nil)
            }
        }
    }
}
