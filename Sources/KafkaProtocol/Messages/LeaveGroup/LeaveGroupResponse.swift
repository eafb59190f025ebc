import NIOCore

/// LeaveGroup response (key 13), versions 0-5 (LeaveGroupResponse.json, flexible 4+):
///
///     throttle_time_ms INT32 (v1+), error_code INT16,
///     members [member_id STRING, group_instance_id NULLABLE_STRING, error_code INT16] (v3+)
public struct LeaveGroupResponse: KafkaMessage {
    public static let apiKey = APIKey.leaveGroup

    public struct Member: Hashable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var errorCode: KafkaErrorCode

        public init(memberID: String, groupInstanceID: String? = nil, errorCode: KafkaErrorCode = .noError) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.errorCode = errorCode
        }
    }

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.members = members
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        self.errorCode = try buffer.readKafkaErrorCode()
        self.members = []
        if version >= 3 {
            self.members = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 4) { buffer in
                let member = Member(
                    memberID: try buffer.readKafkaString(flexible: flexible),
                    groupInstanceID: try buffer.readKafkaNullableString(flexible: flexible),
                    errorCode: try buffer.readKafkaErrorCode()
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return member
            }
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 1 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        buffer.writeKafkaErrorCode(self.errorCode)
        if version >= 3 {
            try buffer.writeKafkaArray(self.members, flexible: flexible) { buffer, member in
                try buffer.writeKafkaString(member.memberID, flexible: flexible)
                try buffer.writeKafkaNullableString(member.groupInstanceID, flexible: flexible)
                buffer.writeKafkaErrorCode(member.errorCode)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
