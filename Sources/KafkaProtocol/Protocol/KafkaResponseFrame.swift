import NIOCore

/// One response as it arrives: the correlation id and the rest of the frame.
///
/// The frame decoder cannot strip the rest of the response header, because whether it has
/// tagged fields (header v1) depends on the API and version of the request, which only the
/// connection knows (by correlation id). ``decode(_:version:)`` finishes the job.
public struct KafkaResponseFrame: Hashable, Sendable {
    /// The correlation id of the request this answers.
    public var correlationID: Int32
    /// Everything after the correlation id: header tagged fields (header v1) and the body.
    public var payload: ByteBuffer

    public init(correlationID: Int32, payload: ByteBuffer) {
        self.correlationID = correlationID
        self.payload = payload
    }

    /// The response body: the payload without the header's tagged fields when the response
    /// header for `apiKey`/`version` is v1.
    public func body(apiKey: APIKey, version: Int16) throws -> ByteBuffer {
        var payload = self.payload
        if apiKey.responseHeaderVersion(for: version) >= 1 {
            try withKafkaContext("response header") { try payload.readKafkaTaggedFields() }
        }
        return payload
    }

    /// Decodes the body as `Response` at `version` (header handled, no trailing bytes allowed).
    public func decode<Response: KafkaMessage>(_: Response.Type, version: Int16) throws -> Response {
        let body = try self.body(apiKey: Response.apiKey, version: version)
        return try Response.decode(from: body, version: version)
    }
}

extension ByteBuffer {
    /// Writes one complete response frame: INT32 size, response header (v0 or v1 by API and
    /// version), body. For fake brokers and tests.
    public mutating func writeKafkaResponse<Response: KafkaMessage>(
        _ response: Response,
        version: Int16,
        correlationID: Int32
    ) throws {
        let start = self.writerIndex
        do {
            try withKafkaContext("\(Response.self) v\(version)") {
                try Response.apiKey.checkImplemented(version: version)
                self.writeInteger(0, as: Int32.self)
                self.writeKafkaInt32(correlationID)
                if Response.apiKey.responseHeaderVersion(for: version) >= 1 {
                    self.writeKafkaEmptyTaggedFields()
                }
                try response.encode(into: &self, version: version)
            }
        } catch {
            self.moveWriterIndex(to: start)
            throw error
        }
        self.setInteger(Int32(self.writerIndex - start - 4), at: start, endianness: .big)
    }
}
