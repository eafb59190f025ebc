/// A Kafka API key (the request header's `request_api_key`), with what this module knows about
/// it: its name, its first flexible version and the versions we implement.
///
/// Only the APIs this module implements have constants; any other raw value can still be
/// represented (e.g. when listing a broker's ApiVersions answer).
public struct APIKey: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value.
    public var rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Produce (0).
    public static let produce = APIKey(rawValue: 0)
    /// Fetch (1).
    public static let fetch = APIKey(rawValue: 1)
    /// ListOffsets (2).
    public static let listOffsets = APIKey(rawValue: 2)
    /// Metadata (3).
    public static let metadata = APIKey(rawValue: 3)
    /// OffsetCommit (8).
    public static let offsetCommit = APIKey(rawValue: 8)
    /// OffsetFetch (9).
    public static let offsetFetch = APIKey(rawValue: 9)
    /// FindCoordinator (10).
    public static let findCoordinator = APIKey(rawValue: 10)
    /// JoinGroup (11).
    public static let joinGroup = APIKey(rawValue: 11)
    /// Heartbeat (12).
    public static let heartbeat = APIKey(rawValue: 12)
    /// LeaveGroup (13).
    public static let leaveGroup = APIKey(rawValue: 13)
    /// SyncGroup (14).
    public static let syncGroup = APIKey(rawValue: 14)
    /// SaslHandshake (17).
    public static let saslHandshake = APIKey(rawValue: 17)
    /// ApiVersions (18).
    public static let apiVersions = APIKey(rawValue: 18)
    /// CreateTopics (19).
    public static let createTopics = APIKey(rawValue: 19)
    /// DeleteTopics (20).
    public static let deleteTopics = APIKey(rawValue: 20)
    /// InitProducerId (22).
    public static let initProducerID = APIKey(rawValue: 22)
    /// SaslAuthenticate (36).
    public static let saslAuthenticate = APIKey(rawValue: 36)

    /// Every API this module implements, in key order.
    public static let implemented: [APIKey] = [
        .produce, .fetch, .listOffsets, .metadata, .offsetCommit, .offsetFetch, .findCoordinator,
        .joinGroup, .heartbeat, .leaveGroup, .syncGroup, .saslHandshake, .apiVersions,
        .createTopics, .deleteTopics, .initProducerID, .saslAuthenticate,
    ]

    /// What we know about an implemented API. `firstFlexibleVersion` is the start of the
    /// `flexibleVersions` range in apache/kafka's `clients/src/main/resources/common/message/
    /// <Name>Request.json` (nil for "none"); `versions` is the range this module implements.
    private struct Info {
        let name: String
        let firstFlexibleVersion: Int16?
        let versions: ClosedRange<Int16>
    }

    private var info: Info? {
        switch self.rawValue {
        // ProduceRequest.json "flexibleVersions": "9+". v0-2 carry message format v0/v1 only
        // (v3 "adds support for Kafka Message Format v2"), and Kafka 4 removed them (KIP-896).
        // v12 (KIP-890 transactions v2) is left out: tansu 0.6 stops at 11.
        case 0: return Info(name: "Produce", firstFlexibleVersion: 9, versions: 3...11)
        // FetchRequest.json "flexibleVersions": "12+"; v4 is the first that can return format v2.
        case 1: return Info(name: "Fetch", firstFlexibleVersion: 12, versions: 4...17)
        // ListOffsetsRequest.json "flexibleVersions": "6+"; v0 returns an offsets array instead.
        case 2: return Info(name: "ListOffsets", firstFlexibleVersion: 6, versions: 1...9)
        // MetadataRequest.json "flexibleVersions": "9+"; v0 means "all topics" for an empty list.
        case 3: return Info(name: "Metadata", firstFlexibleVersion: 9, versions: 1...12)
        // OffsetCommitRequest.json "flexibleVersions": "8+"; v2 is the first with the group fields
        // Kafka 4 still accepts.
        case 8: return Info(name: "OffsetCommit", firstFlexibleVersion: 8, versions: 2...9)
        // OffsetFetchRequest.json "flexibleVersions": "6+".
        case 9: return Info(name: "OffsetFetch", firstFlexibleVersion: 6, versions: 1...9)
        // FindCoordinatorRequest.json "flexibleVersions": "3+".
        case 10: return Info(name: "FindCoordinator", firstFlexibleVersion: 3, versions: 0...5)
        // JoinGroupRequest.json "flexibleVersions": "6+".
        case 11: return Info(name: "JoinGroup", firstFlexibleVersion: 6, versions: 0...9)
        // HeartbeatRequest.json "flexibleVersions": "4+".
        case 12: return Info(name: "Heartbeat", firstFlexibleVersion: 4, versions: 0...4)
        // LeaveGroupRequest.json "flexibleVersions": "4+".
        case 13: return Info(name: "LeaveGroup", firstFlexibleVersion: 4, versions: 0...5)
        // SyncGroupRequest.json "flexibleVersions": "4+".
        case 14: return Info(name: "SyncGroup", firstFlexibleVersion: 4, versions: 0...5)
        // SaslHandshakeRequest.json "flexibleVersions": "none".
        case 17: return Info(name: "SaslHandshake", firstFlexibleVersion: nil, versions: 0...1)
        // ApiVersionsRequest.json "flexibleVersions": "3+".
        case 18: return Info(name: "ApiVersions", firstFlexibleVersion: 3, versions: 0...4)
        // CreateTopicsRequest.json "flexibleVersions": "5+"; v2 is Kafka 4's oldest.
        case 19: return Info(name: "CreateTopics", firstFlexibleVersion: 5, versions: 2...7)
        // DeleteTopicsRequest.json "flexibleVersions": "4+".
        case 20: return Info(name: "DeleteTopics", firstFlexibleVersion: 4, versions: 1...6)
        // InitProducerIdRequest.json "flexibleVersions": "2+".
        case 22: return Info(name: "InitProducerId", firstFlexibleVersion: 2, versions: 0...5)
        // SaslAuthenticateRequest.json "flexibleVersions": "2+".
        case 36: return Info(name: "SaslAuthenticate", firstFlexibleVersion: 2, versions: 0...2)
        default: return nil
        }
    }

    /// The API's name as the protocol guide writes it, or `ApiKey(<n>)` for one we do not implement.
    public var name: String { self.info?.name ?? "ApiKey(\(self.rawValue))" }

    public var description: String { self.name }

    /// The versions of this API that this module implements, or nil if it implements none.
    public var implementedVersions: ClosedRange<Int16>? { self.info?.versions }

    /// Whether `version` of this API is a flexible version (compact strings/arrays, tagged fields).
    public func isFlexible(version: Int16) -> Bool {
        guard let first = self.info?.firstFlexibleVersion else { return false }
        return version >= first
    }

    /// The request header version for `version`: 2 in flexible versions, else 1
    /// (RequestHeader.json: "Version 1 is the first version with ClientId. Version 2 is the
    /// first flexible version."; the protocol guide lists it per message as "Request header version").
    public func requestHeaderVersion(for version: Int16) -> Int16 {
        self.isFlexible(version: version) ? 2 : 1
    }

    /// The response header version for `version`: 1 (with tagged fields) in flexible versions,
    /// else 0 — except ApiVersions, whose response always uses header v0. ApiVersionsResponse.json:
    /// "Tagged fields are only supported in the body but not in the header. The length of the
    /// header must not change in order to guarantee the backward compatibility." (KIP-511: a client
    /// must be able to read the answer before it knows which versions the broker speaks.)
    public func responseHeaderVersion(for version: Int16) -> Int16 {
        if self == .apiVersions { return 0 }
        return self.isFlexible(version: version) ? 1 : 0
    }

    /// Throws ``KafkaProtocolError/Code/unsupportedVersion`` unless we implement `version`.
    func checkImplemented(version: Int16) throws {
        guard let versions = self.implementedVersions else {
            throw KafkaProtocolError(code: .unknownAPIKey, detail: "API key \(self.rawValue) is not implemented")
        }
        guard versions.contains(version) else {
            throw KafkaProtocolError(
                code: .unsupportedVersion,
                detail: "\(self.name) v\(version) is not implemented (we implement \(versions))"
            )
        }
    }
}
