import NIOCore

/// SyncGroup response (key 14), versions 0-5 (SyncGroupResponse.json, flexible 4+):
///
///     throttle_time_ms INT32 (v1+), error_code INT16, protocol_type NULLABLE_STRING (v5+),
///     protocol_name NULLABLE_STRING (v5+), assignment BYTES
public struct SyncGroupResponse: KafkaMessage {
    public static let apiKey = APIKey.syncGroup

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var protocolType: String?
    public var protocolName: String?
    /// This member's assignment (``ConsumerProtocolAssignment`` bytes for consumers).
    public var assignment: ByteBuffer

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        protocolType: String? = nil,
        protocolName: String? = nil,
        assignment: ByteBuffer
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignment = assignment
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        self.errorCode = try buffer.readKafkaErrorCode()
        self.protocolType = version >= 5 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.protocolName = version >= 5 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
        self.assignment = try buffer.readKafkaBytes(flexible: flexible)
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 1 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        buffer.writeKafkaErrorCode(self.errorCode)
        if version >= 5 {
            try buffer.writeKafkaNullableString(self.protocolType, flexible: flexible)
            try buffer.writeKafkaNullableString(self.protocolName, flexible: flexible)
        }
        buffer.writeKafkaBytes(self.assignment, flexible: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
