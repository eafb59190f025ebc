import NIOCore

/// FindCoordinator request (key 10), versions 0-5 (FindCoordinatorRequest.json, flexible 3+):
///
///     key STRING (v0-3)
///     key_type INT8 (v1+): 0 group, 1 transaction
///     coordinator_keys [STRING] (v4+, batched lookups, KIP-699)
///
/// Fill in ``keys``; up to v3 exactly one key is sent.
public struct FindCoordinatorRequest: KafkaRequest {
    public typealias Response = FindCoordinatorResponse
    public static let apiKey = APIKey.findCoordinator

    /// The kind of coordinator asked for.
    public struct KeyType: RawRepresentable, Hashable, Sendable {
        public var rawValue: Int8
        public init(rawValue: Int8) { self.rawValue = rawValue }
        /// A consumer group coordinator.
        public static let group = KeyType(rawValue: 0)
        /// A transaction coordinator.
        public static let transaction = KeyType(rawValue: 1)
    }

    public var keyType: KeyType
    /// Group ids (or transactional ids). Up to v3 exactly one.
    public var keys: [String]

    public init(keyType: KeyType = .group, keys: [String]) {
        self.keyType = keyType
        self.keys = keys
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(keys: [])
        if version <= 3 { self.keys = [try buffer.readKafkaString(flexible: flexible)] }
        if version >= 1 { self.keyType = KeyType(rawValue: try buffer.readKafkaInt8()) }
        if version >= 4 { self.keys = try buffer.readKafkaStringArray(flexible: flexible) }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version <= 3 {
            guard self.keys.count == 1 else {
                throw KafkaProtocolError(
                    code: .invalidValue,
                    detail: "v\(version) takes exactly one key, got \(self.keys.count)"
                )
            }
            try buffer.writeKafkaString(self.keys[0], flexible: flexible)
        }
        if version >= 1 { buffer.writeKafkaInt8(self.keyType.rawValue) }
        if version >= 4 { try buffer.writeKafkaStringArray(self.keys, flexible: flexible) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
