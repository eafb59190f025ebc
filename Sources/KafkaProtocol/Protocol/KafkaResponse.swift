import NIOCore

/// Any response body this module decodes, as a closed enum (postgres-nio's
/// `PostgresBackendMessage` shape). Use it where the API is only known at run time (logging,
/// fuzzing, a generic connection); typed code uses ``KafkaResponseFrame/decode(_:version:)``.
public enum KafkaResponse: Hashable, Sendable {
    case produce(ProduceResponse)
    case fetch(FetchResponse)
    case listOffsets(ListOffsetsResponse)
    case metadata(MetadataResponse)
    case offsetCommit(OffsetCommitResponse)
    case offsetFetch(OffsetFetchResponse)
    case findCoordinator(FindCoordinatorResponse)
    case joinGroup(JoinGroupResponse)
    case heartbeat(HeartbeatResponse)
    case leaveGroup(LeaveGroupResponse)
    case syncGroup(SyncGroupResponse)
    case saslHandshake(SaslHandshakeResponse)
    case apiVersions(ApiVersionsResponse)
    case createTopics(CreateTopicsResponse)
    case deleteTopics(DeleteTopicsResponse)
    case initProducerID(InitProducerIdResponse)
    case saslAuthenticate(SaslAuthenticateResponse)

    /// Decodes a response body (without header) of `apiKey` at `version`.
    public static func decode(apiKey: APIKey, version: Int16, body: ByteBuffer) throws -> KafkaResponse {
        switch apiKey {
        case .produce: return .produce(try .decode(from: body, version: version))
        case .fetch: return .fetch(try .decode(from: body, version: version))
        case .listOffsets: return .listOffsets(try .decode(from: body, version: version))
        case .metadata: return .metadata(try .decode(from: body, version: version))
        case .offsetCommit: return .offsetCommit(try .decode(from: body, version: version))
        case .offsetFetch: return .offsetFetch(try .decode(from: body, version: version))
        case .findCoordinator: return .findCoordinator(try .decode(from: body, version: version))
        case .joinGroup: return .joinGroup(try .decode(from: body, version: version))
        case .heartbeat: return .heartbeat(try .decode(from: body, version: version))
        case .leaveGroup: return .leaveGroup(try .decode(from: body, version: version))
        case .syncGroup: return .syncGroup(try .decode(from: body, version: version))
        case .saslHandshake: return .saslHandshake(try .decode(from: body, version: version))
        case .apiVersions: return .apiVersions(try .decode(from: body, version: version))
        case .createTopics: return .createTopics(try .decode(from: body, version: version))
        case .deleteTopics: return .deleteTopics(try .decode(from: body, version: version))
        case .initProducerID: return .initProducerID(try .decode(from: body, version: version))
        case .saslAuthenticate: return .saslAuthenticate(try .decode(from: body, version: version))
        default:
            throw KafkaProtocolError(code: .unknownAPIKey, detail: "no response decoder for API key \(apiKey.rawValue)")
        }
    }

    /// Decodes a frame's response of `apiKey` at `version` (handling the response header).
    public static func decode(frame: KafkaResponseFrame, apiKey: APIKey, version: Int16) throws -> KafkaResponse {
        try Self.decode(apiKey: apiKey, version: version, body: try frame.body(apiKey: apiKey, version: version))
    }

    /// The decoded message.
    public var message: any KafkaMessage {
        switch self {
        case .produce(let message): return message
        case .fetch(let message): return message
        case .listOffsets(let message): return message
        case .metadata(let message): return message
        case .offsetCommit(let message): return message
        case .offsetFetch(let message): return message
        case .findCoordinator(let message): return message
        case .joinGroup(let message): return message
        case .heartbeat(let message): return message
        case .leaveGroup(let message): return message
        case .syncGroup(let message): return message
        case .saslHandshake(let message): return message
        case .apiVersions(let message): return message
        case .createTopics(let message): return message
        case .deleteTopics(let message): return message
        case .initProducerID(let message): return message
        case .saslAuthenticate(let message): return message
        }
    }

    /// Encodes the body again at `version` (fake brokers, fuzz oracles).
    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        try self.message.encode(into: &buffer, version: version)
    }
}
