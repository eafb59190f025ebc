import NIOCore

/// A request header (RequestHeader.json, protocol guide "Headers"):
///
///     Request Header v1 => request_api_key request_api_version correlation_id client_id
///     Request Header v2 => request_api_key request_api_version correlation_id client_id _tagged_fields
///
/// The client id stays a NULLABLE_STRING (INT16 length) even in v2: "The ClientId string must be
/// serialized with the old-style two-byte length prefix" so that old brokers can read the header
/// of any ApiVersions request (RequestHeader.json). v0 (no client id) only serves
/// ControlledShutdown v0, which we never send.
public struct KafkaRequestHeader: Hashable, Sendable {
    /// The API of the request.
    public var apiKey: APIKey
    /// The version of the request body.
    public var apiVersion: Int16
    /// Chosen by the client; the broker echoes it in the response.
    public var correlationID: Int32
    /// The client id (null allowed).
    public var clientID: String?

    public init(apiKey: APIKey, apiVersion: Int16, correlationID: Int32, clientID: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationID = correlationID
        self.clientID = clientID
    }

    /// The header version this request uses (1 or 2).
    public var headerVersion: Int16 { self.apiKey.requestHeaderVersion(for: self.apiVersion) }

    /// Writes the header.
    public func encode(into buffer: inout ByteBuffer) throws {
        buffer.writeKafkaInt16(self.apiKey.rawValue)
        buffer.writeKafkaInt16(self.apiVersion)
        buffer.writeKafkaInt32(self.correlationID)
        try buffer.writeKafkaNullableString(self.clientID)
        if self.headerVersion >= 2 {
            buffer.writeKafkaEmptyTaggedFields()
        }
    }

    /// Reads a header (as a broker would). The API key and version come first, so the header
    /// version is known before the optional tagged fields.
    public init(from buffer: inout ByteBuffer) throws {
        self.apiKey = APIKey(rawValue: try buffer.readKafkaInt16())
        self.apiVersion = try buffer.readKafkaInt16()
        self.correlationID = try buffer.readKafkaInt32()
        self.clientID = try buffer.readKafkaNullableString()
        if self.apiKey.requestHeaderVersion(for: self.apiVersion) >= 2 {
            try buffer.readKafkaTaggedFields()
        }
    }
}

extension ByteBuffer {
    /// Writes one complete request frame: INT32 size, header, body.
    ///
    /// "All requests and responses originate from the following grammar:
    /// RequestOrResponse => Size (RequestMessage | ResponseMessage); Size => int32"
    /// (protocol guide, "Common Request and Response Structure").
    /// Throws ``KafkaProtocolError/Code/unsupportedVersion`` for a version we do not implement.
    public mutating func writeKafkaRequest<Request: KafkaRequest>(
        _ request: Request,
        version: Int16,
        correlationID: Int32,
        clientID: String?
    ) throws {
        let start = self.writerIndex
        do {
            try withKafkaContext("\(Request.self) v\(version)") {
                try Request.apiKey.checkImplemented(version: version)
                self.writeInteger(0, as: Int32.self)  // size, patched below
                let header = KafkaRequestHeader(
                    apiKey: Request.apiKey,
                    apiVersion: version,
                    correlationID: correlationID,
                    clientID: clientID
                )
                try header.encode(into: &self)
                try request.encode(into: &self, version: version)
            }
        } catch {
            self.moveWriterIndex(to: start)
            throw error
        }
        let size = self.writerIndex - start - 4
        guard size <= Int(Int32.max) else {
            self.moveWriterIndex(to: start)
            throw KafkaProtocolError(code: .frameTooLarge, detail: "request of \(size) bytes")
        }
        self.setInteger(Int32(size), at: start, endianness: .big)
    }
}
