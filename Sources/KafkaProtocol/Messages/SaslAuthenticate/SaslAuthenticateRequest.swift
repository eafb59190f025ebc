import NIOCore

/// SaslAuthenticate request (key 36), versions 0-2 (SaslAuthenticateRequest.json, flexible 2+):
///
///     auth_bytes BYTES
public struct SaslAuthenticateRequest: KafkaRequest {
    public typealias Response = SaslAuthenticateResponse
    public static let apiKey = APIKey.saslAuthenticate

    /// The SASL token of the mechanism (e.g. "\0user\0password" for PLAIN).
    public var authBytes: ByteBuffer

    public init(authBytes: ByteBuffer) {
        self.authBytes = authBytes
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.authBytes = try buffer.readKafkaBytes(flexible: flexible)
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        buffer.writeKafkaBytes(self.authBytes, flexible: flexible)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
