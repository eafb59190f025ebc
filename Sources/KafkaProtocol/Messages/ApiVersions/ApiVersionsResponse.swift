import NIOCore

/// ApiVersions response (key 18), versions 0-4 (ApiVersionsResponse.json):
///
///     error_code INT16
///     api_keys [api_key INT16, min_version INT16, max_version INT16, (v3+ _tagged_fields)]
///     throttle_time_ms INT32 (v1+)
///     v3+ tagged: 0 supported_features [name, min_version INT16, max_version INT16],
///                 1 finalized_features_epoch INT64, 2 finalized_features [name, max_version_level,
///                 min_version_level], 3 zk_migration_ready BOOLEAN
///
/// Always behind response header v0 (see ``APIKey/responseHeaderVersion(for:)``). When the broker
/// does not support the request's version it answers in v0 with UNSUPPORTED_VERSION and lists
/// its ApiVersions range (KIP-511); ``decodeAllowingDowngrade(from:version:)`` handles that.
public struct ApiVersionsResponse: KafkaMessage {
    public static let apiKey = APIKey.apiVersions

    /// One supported API range.
    public struct APIVersion: Hashable, Sendable {
        public var apiKey: APIKey
        public var minVersion: Int16
        public var maxVersion: Int16

        public init(apiKey: APIKey, minVersion: Int16, maxVersion: Int16) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    /// A feature range (tagged field 0) or finalized level range (tagged field 2).
    public struct Feature: Hashable, Sendable {
        public var name: String
        public var minVersion: Int16
        public var maxVersion: Int16

        public init(name: String, minVersion: Int16, maxVersion: Int16) {
            self.name = name
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }
    }

    public var errorCode: KafkaErrorCode
    public var apiKeys: [APIVersion]
    /// v1+; 0 otherwise.
    public var throttleTimeMs: Int32
    /// Tagged field 0 (v3+).
    public var supportedFeatures: [Feature]
    /// Tagged field 1 (v3+); -1 = unknown.
    public var finalizedFeaturesEpoch: Int64
    /// Tagged field 2 (v3+); `minVersion`/`maxVersion` hold min/max_version_level.
    public var finalizedFeatures: [Feature]
    /// Tagged field 3 (v3+).
    public var zkMigrationReady: Bool

    public init(
        errorCode: KafkaErrorCode = .noError,
        apiKeys: [APIVersion],
        throttleTimeMs: Int32 = 0,
        supportedFeatures: [Feature] = [],
        finalizedFeaturesEpoch: Int64 = -1,
        finalizedFeatures: [Feature] = [],
        zkMigrationReady: Bool = false
    ) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
        self.supportedFeatures = supportedFeatures
        self.finalizedFeaturesEpoch = finalizedFeaturesEpoch
        self.finalizedFeatures = finalizedFeatures
        self.zkMigrationReady = zkMigrationReady
    }

    /// Decodes at `version`, or at v0 when the broker answered UNSUPPORTED_VERSION (it then
    /// encodes the response as v0 whatever version was asked, KIP-511). Callers retry with the
    /// highest version of the range the broker listed for ApiVersions.
    public static func decodeAllowingDowngrade(from body: ByteBuffer, version: Int16) throws -> ApiVersionsResponse {
        if body.getInteger(at: body.readerIndex, endianness: .big, as: Int16.self)
            == KafkaErrorCode.unsupportedVersion.rawValue
        {
            return try Self.decode(from: body, version: 0)
        }
        return try Self.decode(from: body, version: version)
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = version >= 3
        self.init(apiKeys: [])
        self.errorCode = try buffer.readKafkaErrorCode()
        self.apiKeys = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 6) { buffer in
            let entry = APIVersion(
                apiKey: APIKey(rawValue: try buffer.readKafkaInt16()),
                minVersion: try buffer.readKafkaInt16(),
                maxVersion: try buffer.readKafkaInt16()
            )
            if flexible { try buffer.readKafkaTaggedFields() }
            return entry
        }
        if version >= 1 {
            self.throttleTimeMs = try buffer.readKafkaInt32()
        }
        if flexible {
            try buffer.readKafkaTaggedFields { tag, data in
                switch tag {
                case 0:
                    self.supportedFeatures = try Self.readFeatures(&data, levels: false)
                case 1:
                    self.finalizedFeaturesEpoch = try data.readKafkaInt64()
                case 2:
                    self.finalizedFeatures = try Self.readFeatures(&data, levels: true)
                case 3:
                    self.zkMigrationReady = try data.readKafkaBool()
                default:
                    return false
                }
                return true
            }
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = version >= 3
        buffer.writeKafkaErrorCode(self.errorCode)
        try buffer.writeKafkaArray(self.apiKeys, flexible: flexible) { buffer, entry in
            buffer.writeKafkaInt16(entry.apiKey.rawValue)
            buffer.writeKafkaInt16(entry.minVersion)
            buffer.writeKafkaInt16(entry.maxVersion)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 1 {
            buffer.writeKafkaInt32(self.throttleTimeMs)
        }
        if flexible {
            var tagged = KafkaTaggedFields()
            if !self.supportedFeatures.isEmpty {
                try tagged.append(tag: 0) { try Self.writeFeatures(self.supportedFeatures, into: &$0, levels: false) }
            }
            if self.finalizedFeaturesEpoch != -1 {
                tagged.append(tag: 1) { $0.writeKafkaInt64(self.finalizedFeaturesEpoch) }
            }
            if !self.finalizedFeatures.isEmpty {
                try tagged.append(tag: 2) { try Self.writeFeatures(self.finalizedFeatures, into: &$0, levels: true) }
            }
            if self.zkMigrationReady {
                tagged.append(tag: 3) { $0.writeKafkaBool(true) }
            }
            buffer.writeKafkaTaggedFields(tagged)
        }
    }

    // Supported features list min then max; finalized features list max_version_level first.
    private static func readFeatures(_ buffer: inout ByteBuffer, levels: Bool) throws -> [Feature] {
        try buffer.readKafkaArray(flexible: true, minimumElementSize: 6) { buffer in
            let name = try buffer.readKafkaCompactString()
            let first = try buffer.readKafkaInt16()
            let second = try buffer.readKafkaInt16()
            try buffer.readKafkaTaggedFields()
            return levels
                ? Feature(name: name, minVersion: second, maxVersion: first)
                : Feature(name: name, minVersion: first, maxVersion: second)
        }
    }

    private static func writeFeatures(_ features: [Feature], into buffer: inout ByteBuffer, levels: Bool) throws {
        try buffer.writeKafkaArray(features, flexible: true) { buffer, feature in
            buffer.writeKafkaCompactString(feature.name)
            buffer.writeKafkaInt16(levels ? feature.maxVersion : feature.minVersion)
            buffer.writeKafkaInt16(levels ? feature.minVersion : feature.maxVersion)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
