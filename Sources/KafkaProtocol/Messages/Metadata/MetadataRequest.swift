import NIOCore

/// Metadata request (key 3), versions 1-12 (MetadataRequest.json, flexible 9+):
///
///     topics [topic_id UUID (v10+), name STRING (nullable v10+)] (null = all topics, v1+)
///     allow_auto_topic_creation BOOLEAN (v4+)
///     include_cluster_authorized_operations BOOLEAN (v8-10)
///     include_topic_authorized_operations BOOLEAN (v8+)
public struct MetadataRequest: KafkaRequest {
    public typealias Response = MetadataResponse
    public static let apiKey = APIKey.metadata

    /// One requested topic: by name, or (v10+) by id with a null name.
    public struct Topic: Hashable, Sendable {
        public var topicID: KafkaUUID
        public var name: String?

        public init(name: String?, topicID: KafkaUUID = .zero) {
            self.name = name
            self.topicID = topicID
        }
    }

    /// The topics to describe; nil asks for all topics, an empty array for none (brokers only).
    public var topics: [Topic]?
    public var allowAutoTopicCreation: Bool
    public var includeClusterAuthorizedOperations: Bool
    public var includeTopicAuthorizedOperations: Bool

    public init(
        topics: [Topic]?,
        allowAutoTopicCreation: Bool = false,
        includeClusterAuthorizedOperations: Bool = false,
        includeTopicAuthorizedOperations: Bool = false
    ) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
    }

    /// Asks for the named topics.
    public init(topicNames: [String], allowAutoTopicCreation: Bool = false) {
        self.init(topics: topicNames.map { Topic(name: $0) }, allowAutoTopicCreation: allowAutoTopicCreation)
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(topics: nil, allowAutoTopicCreation: true)
        self.topics = try buffer.readKafkaNullableArray(flexible: flexible) { buffer in
            let topicID = version >= 10 ? try buffer.readKafkaUUID() : .zero
            let name =
                version >= 10
                ? try buffer.readKafkaNullableString(flexible: flexible)
                : try buffer.readKafkaString(flexible: flexible)
            if flexible { try buffer.readKafkaTaggedFields() }
            return Topic(name: name, topicID: topicID)
        }
        if version >= 4 { self.allowAutoTopicCreation = try buffer.readKafkaBool() }
        if version >= 8 && version <= 10 { self.includeClusterAuthorizedOperations = try buffer.readKafkaBool() }
        if version >= 8 { self.includeTopicAuthorizedOperations = try buffer.readKafkaBool() }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaNullableArray(self.topics, flexible: flexible) { buffer, topic in
            if version >= 10 {
                buffer.writeKafkaUUID(topic.topicID)
                try buffer.writeKafkaNullableString(topic.name, flexible: flexible)
            } else {
                guard let name = topic.name else {
                    throw KafkaProtocolError(code: .invalidValue, detail: "topic name is null before v10")
                }
                try buffer.writeKafkaString(name, flexible: flexible)
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 4 { buffer.writeKafkaBool(self.allowAutoTopicCreation) }
        if version >= 8 && version <= 10 { buffer.writeKafkaBool(self.includeClusterAuthorizedOperations) }
        if version >= 8 { buffer.writeKafkaBool(self.includeTopicAuthorizedOperations) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
