import NIOCore

/// LeaveGroup request (key 13), versions 0-5 (LeaveGroupRequest.json, flexible 4+):
///
///     group_id STRING
///     member_id STRING (v0-2)
///     members [member_id STRING, group_instance_id NULLABLE_STRING, reason NULLABLE_STRING (v5+)] (v3+)
///
/// Up to v2 exactly one member (the first of ``members``) leaves.
public struct LeaveGroupRequest: KafkaRequest {
    public typealias Response = LeaveGroupResponse
    public static let apiKey = APIKey.leaveGroup

    public struct Member: Hashable, Sendable {
        public var memberID: String
        public var groupInstanceID: String?
        public var reason: String?

        public init(memberID: String, groupInstanceID: String? = nil, reason: String? = nil) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.reason = reason
        }
    }

    public var groupID: String
    public var members: [Member]

    public init(groupID: String, members: [Member]) {
        self.groupID = groupID
        self.members = members
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.groupID = try buffer.readKafkaString(flexible: flexible)
        if version <= 2 {
            self.members = [Member(memberID: try buffer.readKafkaString(flexible: flexible))]
        } else {
            self.members = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
                var member = Member(
                    memberID: try buffer.readKafkaString(flexible: flexible),
                    groupInstanceID: try buffer.readKafkaNullableString(flexible: flexible)
                )
                if version >= 5 { member.reason = try buffer.readKafkaNullableString(flexible: flexible) }
                if flexible { try buffer.readKafkaTaggedFields() }
                return member
            }
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaString(self.groupID, flexible: flexible)
        if version <= 2 {
            guard self.members.count == 1 else {
                throw KafkaProtocolError(code: .invalidValue, detail: "v\(version) takes exactly one member")
            }
            try buffer.writeKafkaString(self.members[0].memberID, flexible: flexible)
        } else {
            try buffer.writeKafkaArray(self.members, flexible: flexible) { buffer, member in
                try buffer.writeKafkaString(member.memberID, flexible: flexible)
                try buffer.writeKafkaNullableString(member.groupInstanceID, flexible: flexible)
                if version >= 5 { try buffer.writeKafkaNullableString(member.reason, flexible: flexible) }
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
