import NIOCore

/// SaslAuthenticate response (key 36), versions 0-2 (SaslAuthenticateResponse.json, flexible 2+):
///
///     error_code INT16, error_message NULLABLE_STRING, auth_bytes BYTES,
///     session_lifetime_ms INT64 (v1+, KIP-368: re-authenticate before it ends; 0 = no limit)
public struct SaslAuthenticateResponse: KafkaMessage {
    public static let apiKey = APIKey.saslAuthenticate

    public var errorCode: KafkaErrorCode
    public var errorMessage: String?
    public var authBytes: ByteBuffer
    public var sessionLifetimeMs: Int64

    public init(
        errorCode: KafkaErrorCode = .noError,
        errorMessage: String? = nil,
        authBytes: ByteBuffer,
        sessionLifetimeMs: Int64 = 0
    ) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.authBytes = authBytes
        self.sessionLifetimeMs = sessionLifetimeMs
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.errorCode = try buffer.readKafkaErrorCode()
        self.errorMessage = try buffer.readKafkaNullableString(flexible: flexible)
        self.authBytes = try buffer.readKafkaBytes(flexible: flexible)
        self.sessionLifetimeMs = version >= 1 ? try buffer.readKafkaInt64() : 0
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        buffer.writeKafkaErrorCode(self.errorCode)
        try buffer.writeKafkaNullableString(self.errorMessage, flexible: flexible)
        buffer.writeKafkaBytes(self.authBytes, flexible: flexible)
        if version >= 1 { buffer.writeKafkaInt64(self.sessionLifetimeMs) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
