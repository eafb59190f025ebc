import NIOCore

/// JoinGroup request (key 11), versions 0-9 (JoinGroupRequest.json, flexible 6+):
///
///     group_id STRING, session_timeout_ms INT32, rebalance_timeout_ms INT32 (v1+), member_id STRING,
///     group_instance_id NULLABLE_STRING (v5+, static membership KIP-345), protocol_type STRING,
///     protocols [name STRING, metadata BYTES], reason NULLABLE_STRING (v8+, KIP-800)
///
/// For consumers `protocol_type` is "consumer" and each protocol's metadata is a
/// ``ConsumerProtocolSubscription``.
public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let apiKey = APIKey.joinGroup

    public struct GroupProtocol: Hashable, Sendable {
        /// The assignor name, e.g. "range", "roundrobin", "cooperative-sticky".
        public var name: String
        public var metadata: ByteBuffer

        public init(name: String, metadata: ByteBuffer) {
            self.name = name
            self.metadata = metadata
        }
    }

    public var groupID: String
    public var sessionTimeoutMs: Int32
    /// v1+ (v0 uses the session timeout for both).
    public var rebalanceTimeoutMs: Int32
    /// Empty on the first join; v4+ brokers then answer MEMBER_ID_REQUIRED with an id (KIP-394).
    public var memberID: String
    public var groupInstanceID: String?
    public var protocolType: String
    public var protocols: [GroupProtocol]
    public var reason: String?

    public init(
        groupID: String,
        sessionTimeoutMs: Int32,
        rebalanceTimeoutMs: Int32,
        memberID: String,
        groupInstanceID: String? = nil,
        protocolType: String = "consumer",
        protocols: [GroupProtocol],
        reason: String? = nil
    ) {
        self.groupID = groupID
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.protocolType = protocolType
        self.protocols = protocols
        self.reason = reason
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.groupID = try buffer.readKafkaString(flexible: flexible)
        self.sessionTimeoutMs = try buffer.readKafkaInt32()
        self.rebalanceTimeoutMs = version >= 1 ? try buffer.readKafkaInt32() : -1
        self.memberID = try buffer.readKafkaString(flexible: flexible)
        self.groupInstanceID = version >= 5 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.protocolType = try buffer.readKafkaString(flexible: flexible)
        self.protocols = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let groupProtocol = GroupProtocol(
                name: try buffer.readKafkaString(flexible: flexible),
                metadata: try buffer.readKafkaBytes(flexible: flexible)
            )
            if flexible { try buffer.readKafkaTaggedFields() }
            return groupProtocol
        }
        self.reason = version >= 8 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaString(self.groupID, flexible: flexible)
        buffer.writeKafkaInt32(self.sessionTimeoutMs)
        if version >= 1 { buffer.writeKafkaInt32(self.rebalanceTimeoutMs) }
        try buffer.writeKafkaString(self.memberID, flexible: flexible)
        if version >= 5 { try buffer.writeKafkaNullableString(self.groupInstanceID, flexible: flexible) }
        try buffer.writeKafkaString(self.protocolType, flexible: flexible)
        try buffer.writeKafkaArray(self.protocols, flexible: flexible) { buffer, groupProtocol in
            try buffer.writeKafkaString(groupProtocol.name, flexible: flexible)
            buffer.writeKafkaBytes(groupProtocol.metadata, flexible: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 8 { try buffer.writeKafkaNullableString(self.reason, flexible: flexible) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
