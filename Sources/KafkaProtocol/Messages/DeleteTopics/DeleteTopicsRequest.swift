import NIOCore

/// DeleteTopics request (key 20), versions 1-6 (DeleteTopicsRequest.json, flexible 4+):
///
///     topics [name NULLABLE_STRING, topic_id UUID] (v6+)
///     topic_names [STRING] (v0-5)
///     timeout_ms INT32
public struct DeleteTopicsRequest: KafkaRequest {
    public typealias Response = DeleteTopicsResponse
    public static let apiKey = APIKey.deleteTopics

    /// A topic to delete, by name or (v6+) by id.
    public struct Topic: Hashable, Sendable {
        public var name: String?
        public var topicID: KafkaUUID

        public init(name: String?, topicID: KafkaUUID = .zero) {
            self.name = name
            self.topicID = topicID
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32

    public init(topics: [Topic], timeoutMs: Int32) {
        self.topics = topics
        self.timeoutMs = timeoutMs
    }

    /// Deletes the named topics.
    public init(topicNames: [String], timeoutMs: Int32) {
        self.init(topics: topicNames.map { Topic(name: $0) }, timeoutMs: timeoutMs)
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 6 {
            self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 17) { buffer in
                let topic = Topic(
                    name: try buffer.readKafkaNullableString(flexible: flexible),
                    topicID: try buffer.readKafkaUUID()
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return topic
            }
        } else {
            self.topics = try buffer.readKafkaStringArray(flexible: flexible).map { Topic(name: $0) }
        }
        self.timeoutMs = try buffer.readKafkaInt32()
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 6 {
            try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
                try buffer.writeKafkaNullableString(topic.name, flexible: flexible)
                buffer.writeKafkaUUID(topic.topicID)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        } else {
            let names = try self.topics.map { topic in
                guard let name = topic.name else {
                    throw KafkaProtocolError(code: .invalidValue, detail: "topic name is null before v6")
                }
                return name
            }
            try buffer.writeKafkaStringArray(names, flexible: flexible)
        }
        buffer.writeKafkaInt32(self.timeoutMs)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
