import NIOCore

/// DeleteTopics response (key 20), versions 1-6 (DeleteTopicsResponse.json, flexible 4+):
///
///     throttle_time_ms INT32 (v1+)
///     responses [name STRING (nullable v6+), topic_id UUID (v6+), error_code INT16,
///                error_message NULLABLE_STRING (v5+)]
public struct DeleteTopicsResponse: KafkaMessage {
    public static let apiKey = APIKey.deleteTopics

    public struct Result: Hashable, Sendable {
        public var name: String?
        public var topicID: KafkaUUID
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?

        public init(
            name: String?,
            topicID: KafkaUUID = .zero,
            errorCode: KafkaErrorCode = .noError,
            errorMessage: String? = nil
        ) {
            self.name = name
            self.topicID = topicID
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }
    }

    public var throttleTimeMs: Int32
    public var responses: [Result]

    public init(throttleTimeMs: Int32 = 0, responses: [Result]) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        self.responses = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 3) { buffer in
            let name =
                version >= 6
                ? try buffer.readKafkaNullableString(flexible: flexible)
                : try buffer.readKafkaString(flexible: flexible)
            var result = Result(name: name)
            if version >= 6 { result.topicID = try buffer.readKafkaUUID() }
            result.errorCode = try buffer.readKafkaErrorCode()
            if version >= 5 { result.errorMessage = try buffer.readKafkaNullableString(flexible: flexible) }
            if flexible { try buffer.readKafkaTaggedFields() }
            return result
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 1 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        try buffer.writeKafkaArray(self.responses, flexible: flexible) { buffer, result in
            if version >= 6 {
                try buffer.writeKafkaNullableString(result.name, flexible: flexible)
                buffer.writeKafkaUUID(result.topicID)
            } else {
                guard let name = result.name else {
                    throw KafkaProtocolError(code: .invalidValue, detail: "topic name is null before v6")
                }
                try buffer.writeKafkaString(name, flexible: flexible)
            }
            buffer.writeKafkaErrorCode(result.errorCode)
            if version >= 5 { try buffer.writeKafkaNullableString(result.errorMessage, flexible: flexible) }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
