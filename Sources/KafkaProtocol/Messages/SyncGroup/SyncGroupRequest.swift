import NIOCore

/// SyncGroup request (key 14), versions 0-5 (SyncGroupRequest.json, flexible 4+):
///
///     group_id STRING, generation_id INT32, member_id STRING,
///     group_instance_id NULLABLE_STRING (v3+), protocol_type NULLABLE_STRING (v5+),
///     protocol_name NULLABLE_STRING (v5+), assignments [member_id STRING, assignment BYTES]
///
/// Only the leader sends assignments (``ConsumerProtocolAssignment`` bytes for consumers).
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let apiKey = APIKey.syncGroup

    public struct Assignment: Hashable, Sendable {
        public var memberID: String
        public var assignment: ByteBuffer

        public init(memberID: String, assignment: ByteBuffer) {
            self.memberID = memberID
            self.assignment = assignment
        }
    }

    public var groupID: String
    public var generationID: Int32
    public var memberID: String
    public var groupInstanceID: String?
    public var protocolType: String?
    public var protocolName: String?
    public var assignments: [Assignment]

    public init(
        groupID: String,
        generationID: Int32,
        memberID: String,
        groupInstanceID: String? = nil,
        protocolType: String? = nil,
        protocolName: String? = nil,
        assignments: [Assignment] = []
    ) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.groupID = try buffer.readKafkaString(flexible: flexible)
        self.generationID = try buffer.readKafkaInt32()
        self.memberID = try buffer.readKafkaString(flexible: flexible)
        self.groupInstanceID = version >= 3 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.protocolType = version >= 5 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.protocolName = version >= 5 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.assignments = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            let assignment = Assignment(
                memberID: try buffer.readKafkaString(flexible: flexible),
                assignment: try buffer.readKafkaBytes(flexible: flexible)
            )
            if flexible { try buffer.readKafkaTaggedFields() }
            return assignment
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaString(self.groupID, flexible: flexible)
        buffer.writeKafkaInt32(self.generationID)
        try buffer.writeKafkaString(self.memberID, flexible: flexible)
        if version >= 3 { try buffer.writeKafkaNullableString(self.groupInstanceID, flexible: flexible) }
        if version >= 5 {
            try buffer.writeKafkaNullableString(self.protocolType, flexible: flexible)
            try buffer.writeKafkaNullableString(self.protocolName, flexible: flexible)
        }
        try buffer.writeKafkaArray(self.assignments, flexible: flexible) { buffer, assignment in
            try buffer.writeKafkaString(assignment.memberID, flexible: flexible)
            buffer.writeKafkaBytes(assignment.assignment, flexible: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
