import NIOCore

/// The body of one Kafka request or response (without size prefix and header), for one API.
///
/// Every message decodes and encodes in both directions: the client encodes requests and
/// decodes responses; tests, fuzz oracles and fake brokers use the reverse. A field that does
/// not exist in the version being encoded is left out; decoding such a version leaves the field
/// at its documented default.
public protocol KafkaMessage: Sendable, Hashable {
    /// The API this message belongs to.
    static var apiKey: APIKey { get }

    /// Decodes the body at `version`, consuming what it reads from `buffer`.
    init(from buffer: inout ByteBuffer, version: Int16) throws

    /// Encodes the body at `version` onto `buffer`.
    func encode(into buffer: inout ByteBuffer, version: Int16) throws
}

/// A request body, tied to the response body the broker answers with.
public protocol KafkaRequest: KafkaMessage {
    /// The response body type for this request.
    associatedtype Response: KafkaMessage
}

extension KafkaMessage {
    /// Decodes a complete body: checks that we implement `version`, decodes, and requires that
    /// no byte is left over. Errors carry "<Type> v<version>" in their context.
    public static func decode(from body: ByteBuffer, version: Int16) throws -> Self {
        try withKafkaContext("\(Self.self) v\(version)") {
            try Self.apiKey.checkImplemented(version: version)
            var body = body
            let message = try Self(from: &body, version: version)
            guard body.readableBytes == 0 else {
                throw KafkaProtocolError(
                    code: .trailingBytes,
                    detail: "\(body.readableBytes) bytes left after the message"
                )
            }
            return message
        }
    }

    /// Encodes the body at `version` into a new buffer, after checking that we implement it.
    public func encoded(version: Int16, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        try withKafkaContext("\(Self.self) v\(version)") {
            try Self.apiKey.checkImplemented(version: version)
            var buffer = allocator.buffer(capacity: 64)
            try self.encode(into: &buffer, version: version)
            return buffer
        }
    }
}
