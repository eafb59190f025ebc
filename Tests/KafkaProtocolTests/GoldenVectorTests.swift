import KafkaProtocol
import NIOCore
import Testing

/// Bytes written by librdkafka 2.16.1 and tansu 0.6 (see GoldenVectors.swift), decoded by us.
@Suite("Golden vectors from librdkafka and tansu")
struct GoldenVectorTests {
    /// Decodes a request frame payload (header + body) with our request decoders.
    static func decodeRequest(_ hex: String) throws -> (KafkaRequestHeader, any KafkaMessage, ByteBuffer) {
        var payload = ByteBuffer(hex: hex)
        let header = try KafkaRequestHeader(from: &payload)
        let body = payload
        let message: any KafkaMessage
        switch header.apiKey {
        case .produce: message = try ProduceRequest.decode(from: body, version: header.apiVersion)
        case .fetch: message = try FetchRequest.decode(from: body, version: header.apiVersion)
        case .listOffsets: message = try ListOffsetsRequest.decode(from: body, version: header.apiVersion)
        case .metadata: message = try MetadataRequest.decode(from: body, version: header.apiVersion)
        case .offsetCommit: message = try OffsetCommitRequest.decode(from: body, version: header.apiVersion)
        case .offsetFetch: message = try OffsetFetchRequest.decode(from: body, version: header.apiVersion)
        case .findCoordinator: message = try FindCoordinatorRequest.decode(from: body, version: header.apiVersion)
        case .joinGroup: message = try JoinGroupRequest.decode(from: body, version: header.apiVersion)
        case .heartbeat: message = try HeartbeatRequest.decode(from: body, version: header.apiVersion)
        case .leaveGroup: message = try LeaveGroupRequest.decode(from: body, version: header.apiVersion)
        case .syncGroup: message = try SyncGroupRequest.decode(from: body, version: header.apiVersion)
        case .apiVersions: message = try ApiVersionsRequest.decode(from: body, version: header.apiVersion)
        case .initProducerID: message = try InitProducerIdRequest.decode(from: body, version: header.apiVersion)
        default: throw KafkaProtocolError(code: .unknownAPIKey, detail: "\(header.apiKey)")
        }
        return (header, message, body)
    }

    static let implementedExchanges = GoldenVectors.exchanges.filter {
        APIKey(rawValue: $0.apiKey).implementedVersions?.contains($0.version) == true
    }

    @Test("librdkafka's requests decode and re-encode to the same bytes")
    func requests() throws {
        #expect(Self.implementedExchanges.count == 13)
        for exchange in Self.implementedExchanges {
            let (header, message, body) = try Self.decodeRequest(exchange.request)
            #expect(header.clientID == "rdkafka")
            var reencoded = ByteBuffer()
            try message.encode(into: &reencoded, version: header.apiVersion)
            #expect(reencoded == body, "\(header.apiKey) v\(header.apiVersion)")
        }
    }

    @Test("tansu's responses decode, and re-encode to bytes that decode the same")
    func responses() throws {
        for exchange in Self.implementedExchanges {
            let apiKey = APIKey(rawValue: exchange.apiKey)
            var payload = ByteBuffer(hex: exchange.response)
            let correlationID = try payload.readKafkaInt32()
            let frame = KafkaResponseFrame(correlationID: correlationID, payload: payload)
            let response = try KafkaResponse.decode(frame: frame, apiKey: apiKey, version: exchange.version)
            var reencoded = ByteBuffer()
            try response.encode(into: &reencoded, version: exchange.version)
            let again = try KafkaResponse.decode(apiKey: apiKey, version: exchange.version, body: reencoded)
            #expect(again == response, "\(apiKey) v\(exchange.version)")
        }
    }

    @Test("ApiVersions v3 from tansu: header v0, tagged fields in the body, and negotiation")
    func apiVersions() throws {
        let exchange = try #require(GoldenVectors.exchanges.first { $0.apiKey == 18 && $0.version == 3 })
        var payload = ByteBuffer(hex: exchange.response)
        _ = try payload.readKafkaInt32()
        // No header tagged fields: the body starts right after the correlation id (error code 0).
        let response = try ApiVersionsResponse.decode(from: payload, version: 3)
        #expect(response.errorCode == .noError)
        #expect(response.finalizedFeaturesEpoch == -1)
        let negotiated = NegotiatedAPIVersions(broker: response.apiKeys)
        #expect(try negotiated.version(for: .produce) == 11)
        #expect(try negotiated.version(for: .fetch) == 17)
        #expect(try negotiated.version(for: .metadata) == 12)
        #expect(try negotiated.version(for: .apiVersions) == 4)
        for key in APIKey.implemented {
            #expect(throws: Never.self) { try negotiated.version(for: key) }
        }
    }

    @Test("Metadata v12 from tansu lists the broker and the golden topics")
    func metadata() throws {
        let exchange = try #require(GoldenVectors.exchanges.first { $0.apiKey == 3 && $0.version == 12 })
        var payload = ByteBuffer(hex: exchange.response)
        let frame = KafkaResponseFrame(correlationID: try payload.readKafkaInt32(), payload: payload)
        let metadata = try frame.decode(MetadataResponse.self, version: 12)
        #expect(metadata.brokers.first?.host == "127.0.0.1")
        #expect(metadata.topics.allSatisfy { !$0.topicID.isZero && !$0.partitions.isEmpty })
    }

    @Test(
        "librdkafka's Produce v10 batches decode with every codec",
        arguments: ["none", "gzip", "snappy", "lz4", "zstd"]
    )
    func produceBatches(codec: String) throws {
        let hex = try #require(GoldenVectors.produceRequests[codec])
        let (_, message, _) = try Self.decodeRequest(hex)
        let produce = try #require(message as? ProduceRequest)
        #expect(produce.acks == -1)
        #expect(produce.topicData[0].name == "golden-\(codec)")
        let records = try #require(produce.topicData[0].partitionData[0].records)
        let decoded = try RecordBatch.decodeAll(from: records)
        #expect(decoded.truncatedTrailingBytes == 0)
        let batch = try #require(decoded.batches.first)
        #expect(batch.attributes.compression == CompressionCodec(name: codec))
        // Idempotent producer: id and epoch from InitProducerId, sequence from 0.
        #expect(batch.producerID >= 0 && batch.producerEpoch >= 0 && batch.baseSequence == 0)
        #expect(batch.records.count == 3)
        // kcat -K: sends an empty (not null) key for a line starting with the delimiter.
        #expect(batch.records.map(\.key) == [buffer("k1"), buffer("k2"), ByteBuffer()])
        let padding = String(repeating: "a", count: 300)
        #expect(
            batch.records.map { String(buffer: $0.value!) }
                == ["hello \(codec) \(padding)", "world \(codec) \(padding)", "null-key value \(padding)"]
        )
        for record in batch.records {
            #expect(
                record.headers == [
                    RecordHeader(key: "h1", value: buffer("v1")), RecordHeader(key: "h2", value: ByteBuffer()),
                ]
            )
        }
        // Our encoder reproduces librdkafka's uncompressed batches byte for byte.
        if codec == "none" {
            var ours = ByteBuffer()
            try batch.encode(into: &ours)
            #expect(ours == records)
        }
    }

    @Test("tansu's Fetch v16 responses carry the records of every codec")
    func fetchBatches() throws {
        var seenCodecs: Set<CompressionCodec> = []
        var values: Set<String> = []
        for hex in GoldenVectors.fetchResponses {
            var payload = ByteBuffer(hex: hex)
            let frame = KafkaResponseFrame(correlationID: try payload.readKafkaInt32(), payload: payload)
            let fetch = try frame.decode(FetchResponse.self, version: 16)
            for topic in fetch.responses {
                #expect(!topic.topicID.isZero)
                for partition in topic.partitions {
                    guard let records = partition.records, records.readableBytes > 0 else { continue }
                    let decoded = try RecordBatch.decodeAll(from: records)
                    for batch in decoded.batches {
                        seenCodecs.insert(batch.attributes.compression)
                        for record in batch.records {
                            values.insert(String(buffer: record.value!))
                            #expect(batch.timestamp(of: record) > 1_600_000_000_000)
                        }
                    }
                }
            }
        }
        let padding = String(repeating: "a", count: 300)
        for codec in CompressionCodec.allCases {
            #expect(values.contains("hello \(codec.name) \(padding)"))
        }
        #expect(seenCodecs == Set(CompressionCodec.allCases))
    }
}
