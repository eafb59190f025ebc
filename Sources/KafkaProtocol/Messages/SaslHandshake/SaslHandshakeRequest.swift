import NIOCore

/// SaslHandshake request (key 17), versions 0-1 (SaslHandshakeRequest.json, never flexible):
///
///     mechanism STRING
///
/// v1 means the SASL tokens then travel inside SaslAuthenticate requests (KIP-152), not raw.
public struct SaslHandshakeRequest: KafkaRequest {
    public typealias Response = SaslHandshakeResponse
    public static let apiKey = APIKey.saslHandshake

    /// E.g. "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512".
    public var mechanism: String

    public init(mechanism: String) {
        self.mechanism = mechanism
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        self.mechanism = try buffer.readKafkaString()
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        try buffer.writeKafkaString(self.mechanism)
    }
}
