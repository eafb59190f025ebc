import NIOCore

/// JoinGroup response (key 11), versions 0-9 (JoinGroupResponse.json, flexible 6+):
///
///     throttle_time_ms INT32 (v2+), error_code INT16, generation_id INT32,
///     protocol_type NULLABLE_STRING (v7+), protocol_name STRING (nullable v7+), leader STRING,
///     skip_assignment BOOLEAN (v9+), member_id STRING,
///     members [member_id STRING, group_instance_id NULLABLE_STRING (v5+), metadata BYTES]
///
/// Only the leader gets a non-empty ``members`` list; it computes the assignment.
public struct JoinGroupResponse: KafkaMessage {
    public static let apiKey = APIKey.joinGroup

    public struct Member: Hashable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var metadata: ByteBuffer

        public init(memberID: String, groupInstanceID: String? = nil, metadata: ByteBuffer) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.metadata = metadata
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var generationID: Int32
    public var protocolType: String?
    public var protocolName: String?
    public var leader: String
    public var skipAssignment: Bool
    public var memberID: String
    public var members: [Member]

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        generationID: Int32,
        protocolType: String? = nil,
        protocolName: String?,
        leader: String,
        skipAssignment: Bool = false,
        memberID: String,
        members: [Member] = []
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationID = generationID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.leader = leader
        self.skipAssignment = skipAssignment
        self.memberID = memberID
        self.members = members
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 2 ? try buffer.readKafkaInt32() : 0
        self.errorCode = try buffer.readKafkaErrorCode()
        self.generationID = try buffer.readKafkaInt32()
        self.protocolType = version >= 7 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.protocolName =
            version >= 7
            ? try buffer.readKafkaNullableString(flexible: flexible) : try buffer.readKafkaString(flexible: flexible)
        self.leader = try buffer.readKafkaString(flexible: flexible)
        self.skipAssignment = version >= 9 ? try buffer.readKafkaBool() : false
        self.memberID = try buffer.readKafkaString(flexible: flexible)
        self.members = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let memberID = try buffer.readKafkaString(flexible: flexible)
            let instanceID = version >= 5 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
            let member = Member(
                memberID: memberID,
                groupInstanceID: instanceID,
                metadata: try buffer.readKafkaBytes(flexible: flexible)
            )
            if flexible { try buffer.readKafkaTaggedFields() }
            return member
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 2 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        buffer.writeKafkaErrorCode(self.errorCode)
        buffer.writeKafkaInt32(self.generationID)
        if version >= 7 {
            try buffer.writeKafkaNullableString(self.protocolType, flexible: flexible)
            try buffer.writeKafkaNullableString(self.protocolName, flexible: flexible)
        } else {
            try buffer.writeKafkaString(self.protocolName ?? "", flexible: flexible)
        }
        try buffer.writeKafkaString(self.leader, flexible: flexible)
        if version >= 9 { buffer.writeKafkaBool(self.skipAssignment) }
        try buffer.writeKafkaString(self.memberID, flexible: flexible)
        try buffer.writeKafkaArray(self.members, flexible: flexible) { buffer, member in
            try buffer.writeKafkaString(member.memberID, flexible: flexible)
            if version >= 5 { try buffer.writeKafkaNullableString(member.groupInstanceID, flexible: flexible) }
            buffer.writeKafkaBytes(member.metadata, flexible: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
