import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A scripted broker on a loopback port for connection tests: it answers ApiVersions with the
/// ranges it is given, Metadata requests as ``MetadataMode`` says (every requested topic with one
/// partition led by this broker, so a test can tell which answer belongs to which request),
/// InitProducerId, and Produce — the first `notLeaderAnswers` of them with NOT_LEADER_OR_FOLLOWER.
final class FakeKafkaBroker: Sendable {
    enum MetadataMode: Sendable {
        /// Answer each request at once.
        case inOrder
        /// Hold requests until `count` arrived, then answer them last first.
        case reversed(count: Int)
        /// Never answer.
        case never
    }

    /// Requests seen so far.
    struct Counts: Sendable {
        var metadata = 0
        var produce = 0
        var producedRecords = 0
    }

    let port: Int
    private let server: any Channel
    private let counts: NIOLockedValueBox<Counts>

    private init(port: Int, server: any Channel, counts: NIOLockedValueBox<Counts>) {
        self.port = port
        self.server = server
        self.counts = counts
    }

    var seen: Counts { self.counts.withLockedValue { $0 } }

    static func start(
        apiVersions: [ApiVersionsResponse.APIVersion] = FakeKafkaBroker.allImplemented,
        metadata: MetadataMode,
        notLeaderAnswers: Int = 0
    ) async throws -> FakeKafkaBroker {
        let counts = NIOLockedValueBox(Counts())
        let ownPort = NIOLockedValueBox(0)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(RequestFrameDecoder())
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        Responder(
                            apiVersions: apiVersions,
                            mode: metadata,
                            notLeaderAnswers: notLeaderAnswers,
                            counts: counts,
                            port: ownPort.withLockedValue { $0 }
                        )
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        ownPort.withLockedValue { $0 = server.localAddress!.port! }
        return FakeKafkaBroker(port: server.localAddress!.port!, server: server, counts: counts)
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
        let notLeaderAnswers: Int
        let counts: NIOLockedValueBox<Counts>
        let port: Int
        var held: [ByteBuffer] = []

        init(
            apiVersions: [ApiVersionsResponse.APIVersion],
            mode: MetadataMode,
            notLeaderAnswers: Int,
            counts: NIOLockedValueBox<Counts>,
            port: Int
        ) {
            self.apiVersions = apiVersions
            self.mode = mode
            self.notLeaderAnswers = notLeaderAnswers
            self.counts = counts
            self.port = port
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
                    self.counts.withLockedValue { $0.metadata += 1 }
                    let request = try MetadataRequest.decode(from: frame, version: header.apiVersion)
                    let response = MetadataResponse(
                        brokers: [.init(nodeID: 1, host: "127.0.0.1", port: Int32(self.port))],
                        controllerID: 1,
                        topics: (request.topics ?? []).map {
                            .init(name: $0.name, partitions: [.init(partitionIndex: 0, leaderID: 1)])
                        }
                    )
                    try out.writeKafkaResponse(
                        response,
                        version: header.apiVersion,
                        correlationID: header.correlationID
                    )
                case .initProducerID:
                    try out.writeKafkaResponse(
                        InitProducerIdResponse(producerID: 1000, producerEpoch: 0),
                        version: header.apiVersion,
                        correlationID: header.correlationID
                    )
                case .produce:
                    let request = try ProduceRequest.decode(from: frame, version: header.apiVersion)
                    var responses: [ProduceResponse.TopicResponse] = []
                    for topic in request.topicData {
                        var partitions: [ProduceResponse.PartitionResponse] = []
                        for partition in topic.partitionData {
                            let records = try RecordBatch.decode(from: partition.records!).records.count
                            let (number, base) = self.counts.withLockedValue { counts -> (Int, Int) in
                                counts.produce += 1
                                let base = counts.producedRecords
                                if counts.produce > self.notLeaderAnswers { counts.producedRecords += records }
                                return (counts.produce, base)
                            }
                            partitions.append(
                                number <= self.notLeaderAnswers
                                    ? .init(index: partition.index, errorCode: .notLeaderOrFollower, baseOffset: -1)
                                    : .init(index: partition.index, baseOffset: Int64(base))
                            )
                        }
                        responses.append(.init(name: topic.name, partitionResponses: partitions))
                    }
                    try out.writeKafkaResponse(
                        ProduceResponse(responses: responses),
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
