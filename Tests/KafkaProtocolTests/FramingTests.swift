import KafkaProtocol
import NIOCore
import NIOTestUtils
import Testing

@Suite("Framing, headers and version negotiation")
struct FramingTests {
    static func frame(correlationID: Int32, payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeKafkaInt32(Int32(4 + payload.count))
        buffer.writeKafkaInt32(correlationID)
        buffer.writeBytes(payload)
        return buffer
    }

    @Test("the frame decoder passes ByteToMessageDecoderVerifier (drip-fed and whole)")
    func verifier() throws {
        let payloads: [(Int32, [UInt8])] = [(1, [1, 2, 3]), (-7, []), (99, [UInt8](repeating: 0xAB, count: 5000))]
        let frames: [(ByteBuffer, [KafkaResponseFrame])] = payloads.map { correlationID, payload in
            (
                Self.frame(correlationID: correlationID, payload: payload),
                [KafkaResponseFrame(correlationID: correlationID, payload: ByteBuffer(bytes: payload))]
            )
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: frames,
            decoderFactory: { KafkaFrameDecoder() }
        )
    }

    @Test("frames over the maximum and sizes below 4 are refused before buffering")
    func limits() throws {
        var decoder = KafkaFrameDecoder(maximumFrameSize: 1024)
        var huge = ByteBuffer()
        huge.writeKafkaInt32(Int32.max)
        huge.writeKafkaInt32(1)
        let error = #expect(throws: KafkaProtocolError.self) { try decoder.decode(buffer: &huge) }
        #expect(error?.code == .frameTooLarge)
        var tiny = ByteBuffer(bytes: [0, 0, 0, 2, 0, 0])
        #expect(throws: KafkaProtocolError.self) { try decoder.decode(buffer: &tiny) }
        var negative = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.self) { try decoder.decode(buffer: &negative) }
        var partial = ByteBuffer(bytes: [0, 0, 0, 8, 0, 0, 0, 1])
        #expect(try decoder.decode(buffer: &partial) == nil)
        #expect(partial.readableBytes == 8)
    }

    @Test("request header v1 for classic versions and v2 (tagged fields) for flexible ones")
    func requestHeaders() throws {
        var buffer = ByteBuffer()
        try buffer.writeKafkaRequest(MessageSamples.heartbeatRequest, version: 3, correlationID: 5, clientID: "c")
        // size, api key 12, version 3, correlation 5, client id "c" (INT16 length), body
        #expect(buffer.hexString.hasPrefix(hex("0000001f 000c 0003 00000005 000163 000167")))
        buffer.clear()
        try buffer.writeKafkaRequest(MessageSamples.heartbeatRequest, version: 4, correlationID: 5, clientID: nil)
        // client id stays a classic NULLABLE_STRING (-1) even in header v2, then the tag section
        #expect(buffer.hexString.hasPrefix(hex("0000001d 000c 0004 00000005 ffff 00 0267")))
        var reader = buffer
        _ = try reader.readKafkaInt32()
        let header = try KafkaRequestHeader(from: &reader)
        #expect(header == KafkaRequestHeader(apiKey: .heartbeat, apiVersion: 4, correlationID: 5, clientID: nil))
        #expect(try HeartbeatRequest.decode(from: reader, version: 4) == MessageSamples.heartbeatRequest)
        // An unsupported version writes nothing.
        buffer.clear()
        #expect(throws: KafkaProtocolError.self) {
            try buffer.writeKafkaRequest(MessageSamples.heartbeatRequest, version: 5, correlationID: 1, clientID: nil)
        }
        #expect(buffer.readableBytes == 0)
    }

    @Test("response header v1 except for ApiVersions, which always uses v0 (KIP-511)")
    func responseHeaders() throws {
        #expect(APIKey.apiVersions.responseHeaderVersion(for: 3) == 0)
        #expect(APIKey.apiVersions.requestHeaderVersion(for: 3) == 2)
        #expect(APIKey.fetch.responseHeaderVersion(for: 11) == 0)
        #expect(APIKey.fetch.responseHeaderVersion(for: 12) == 1)
        #expect(APIKey.saslHandshake.responseHeaderVersion(for: 1) == 0)
        for (apiKey, version) in [(APIKey.heartbeat, Int16(4)), (.apiVersions, 3), (.metadata, 8)] {
            var wire = ByteBuffer()
            switch apiKey {
            case .heartbeat:
                try wire.writeKafkaResponse(MessageSamples.heartbeatResponse, version: version, correlationID: 9)
            case .apiVersions:
                try wire.writeKafkaResponse(MessageSamples.apiVersionsResponse, version: version, correlationID: 9)
            default: try wire.writeKafkaResponse(MessageSamples.metadataResponse, version: version, correlationID: 9)
            }
            var decoder = KafkaFrameDecoder()
            let frame = try #require(try decoder.decode(buffer: &wire))
            #expect(frame.correlationID == 9)
            let response = try KafkaResponse.decode(frame: frame, apiKey: apiKey, version: version)
            switch response {
            case .heartbeat(let heartbeat): #expect(heartbeat == MessageSamples.heartbeatResponse)
            case .apiVersions(let versions): #expect(versions == MessageSamples.apiVersionsResponse)
            case .metadata(let metadata): #expect(metadata.brokers == MessageSamples.metadataResponse.brokers)
            default: Issue.record("unexpected \(response)")
            }
        }
    }

    @Test("an ApiVersions answer of UNSUPPORTED_VERSION is read as v0")
    func apiVersionsDowngrade() throws {
        let answer = ApiVersionsResponse(
            errorCode: .unsupportedVersion,
            apiKeys: [.init(apiKey: .apiVersions, minVersion: 0, maxVersion: 2)]
        )
        let body = try answer.encoded(version: 0)
        #expect(throws: KafkaProtocolError.self) { try ApiVersionsResponse.decode(from: body, version: 3) }
        #expect(try ApiVersionsResponse.decodeAllowingDowngrade(from: body, version: 3) == answer)
    }

    @Test("negotiation picks the highest common version and explains when there is none")
    func negotiation() throws {
        let broker: [ApiVersionsResponse.APIVersion] = [
            .init(apiKey: .produce, minVersion: 0, maxVersion: 8),
            .init(apiKey: .fetch, minVersion: 0, maxVersion: 20),
            .init(apiKey: .metadata, minVersion: 13, maxVersion: 14),
        ]
        let negotiated = NegotiatedAPIVersions(broker: broker)
        #expect(try negotiated.version(for: .produce) == 8)
        #expect(try negotiated.version(for: .fetch) == 17)
        let none = #expect(throws: KafkaProtocolError.self) { try negotiated.version(for: .metadata) }
        #expect(none?.code == .noCommonVersion)
        let missing = #expect(throws: KafkaProtocolError.self) { try negotiated.version(for: .joinGroup) }
        #expect(missing?.code == .apiNotSupportedByBroker)
        #expect(throws: KafkaProtocolError.self) { try negotiated.version(for: APIKey(rawValue: 60)) }
    }

    @Test("every implemented API has a name, a range and a flexible boundary")
    func apiTable() {
        #expect(APIKey.implemented.count == 17)
        for key in APIKey.implemented {
            #expect(key.implementedVersions != nil)
            #expect(!key.name.hasPrefix("ApiKey("))
        }
        #expect(APIKey(rawValue: 999).implementedVersions == nil)
        #expect(!APIKey.saslHandshake.isFlexible(version: 1))
        #expect(APIKey.produce.isFlexible(version: 9) && !APIKey.produce.isFlexible(version: 8))
    }

    @Test("error codes know their names and retriability")
    func errorCodes() {
        #expect(KafkaErrorCode.notLeaderOrFollower.rawValue == 6)
        #expect(KafkaErrorCode.notLeaderOrFollower.isRetriable)
        #expect(KafkaErrorCode.notLeaderOrFollower.name == "NOT_LEADER_OR_FOLLOWER")
        #expect(!KafkaErrorCode.topicAuthorizationFailed.isRetriable)
        #expect(KafkaErrorCode.noError.isSuccess)
        #expect(KafkaErrorCode(rawValue: 30_000).name == "UNKNOWN_CODE_30000")
        #expect(!KafkaErrorCode(rawValue: 30_000).isRetriable)
        #expect(KafkaErrorCode.unknownServerError.description == "UNKNOWN_SERVER_ERROR (-1)")
    }
}
