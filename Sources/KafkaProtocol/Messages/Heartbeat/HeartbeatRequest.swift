import NIOCore

/// Heartbeat request (key 12), versions 0-4 (HeartbeatRequest.json, flexible 4+):
///
///     group_id STRING, generation_id INT32, member_id STRING, group_instance_id NULLABLE_STRING (v3+)
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = HeartbeatResponse
    public static let apiKey = APIKey.heartbeat

    public var groupID: String
    public var generationID: Int32
    public var memberID: String
    public var groupInstanceID: String?

    public init(groupID: String, generationID: Int32, memberID: String, groupInstanceID: String? = nil) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.groupID = try buffer.readKafkaString(flexible: flexible)
        self.generationID = try buffer.readKafkaInt32()
        self.memberID = try buffer.readKafkaString(flexible: flexible)
        self.groupInstanceID = version >= 3 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaString(self.groupID, flexible: flexible)
        buffer.writeKafkaInt32(self.generationID)
        try buffer.writeKafkaString(self.memberID, flexible: flexible)
        if version >= 3 { try buffer.writeKafkaNullableString(self.groupInstanceID, flexible: flexible) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
