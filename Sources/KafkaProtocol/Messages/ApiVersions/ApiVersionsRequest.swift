import NIOCore

/// ApiVersions request (key 18), versions 0-4 (ApiVersionsRequest.json):
///
///     v0-2: (empty)
///     v3+:  client_software_name COMPACT_STRING, client_software_version COMPACT_STRING, _tagged_fields
///
/// v4 is v3 plus the broker's promise to list features with MinVersion 0 (KAFKA-17011).
public struct ApiVersionsRequest: KafkaRequest {
    public typealias Response = ApiVersionsResponse
    public static let apiKey = APIKey.apiVersions

    /// The client's software name (v3+); KIP-511 limits it to `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?`.
    public var clientSoftwareName: String
    /// The client's software version (v3+), same character rules.
    public var clientSoftwareVersion: String

    public init(clientSoftwareName: String = "tributary", clientSoftwareVersion: String = "0.1.0") {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        self.init(clientSoftwareName: "", clientSoftwareVersion: "")
        if version >= 3 {
            self.clientSoftwareName = try buffer.readKafkaCompactString()
            self.clientSoftwareVersion = try buffer.readKafkaCompactString()
            try buffer.readKafkaTaggedFields()
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        if version >= 3 {
            buffer.writeKafkaCompactString(self.clientSoftwareName)
            buffer.writeKafkaCompactString(self.clientSoftwareVersion)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}
