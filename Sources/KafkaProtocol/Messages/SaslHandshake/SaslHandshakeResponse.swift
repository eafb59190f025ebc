import NIOCore

/// SaslHandshake response (key 17), versions 0-1 (SaslHandshakeResponse.json):
///
///     error_code INT16, mechanisms [STRING]
public struct SaslHandshakeResponse: KafkaMessage {
    public static let apiKey = APIKey.saslHandshake

    public var errorCode: KafkaErrorCode
    /// The mechanisms the broker enables.
    public var mechanisms: [String]

    public init(errorCode: KafkaErrorCode = .noError, mechanisms: [String]) {
        self.errorCode = errorCode
        self.mechanisms = mechanisms
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        self.errorCode = try buffer.readKafkaErrorCode()
        self.mechanisms = try buffer.readKafkaStringArray(flexible: false)
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        buffer.writeKafkaErrorCode(self.errorCode)
        try buffer.writeKafkaStringArray(self.mechanisms, flexible: false)
    }
}
