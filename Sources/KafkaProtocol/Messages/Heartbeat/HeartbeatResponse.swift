import NIOCore

/// Heartbeat response (key 12), versions 0-4 (HeartbeatResponse.json, flexible 4+):
///
///     throttle_time_ms INT32 (v1+), error_code INT16
///
/// REBALANCE_IN_PROGRESS here tells the member to rejoin.
public struct HeartbeatResponse: KafkaMessage {
    public static let apiKey = APIKey.heartbeat

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode

    public init(throttleTimeMs: Int32 = 0, errorCode: KafkaErrorCode = .noError) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        self.errorCode = try buffer.readKafkaErrorCode()
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 1 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        buffer.writeKafkaErrorCode(self.errorCode)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
