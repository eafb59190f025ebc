import NIOCore

/// OffsetFetch request (key 9), versions 1-9 (OffsetFetchRequest.json, flexible 6+):
///
///     v1-7: group_id STRING, topics [name STRING, partition_indexes [INT32]] (nullable v2+ = all)
///     v8+:  groups [group_id STRING, member_id NULLABLE_STRING (v9+), member_epoch INT32 (v9+),
///                   topics [name STRING, partition_indexes [INT32]] (nullable)]   (KIP-709)
///     require_stable BOOLEAN (v7+, KIP-447)
///
/// Up to v7 exactly one group is sent.
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let apiKey = APIKey.offsetFetch

    public struct Topic: Hashable, Sendable {
        public var name: String
        public var partitionIndexes: [Int32]

        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }
    }

    public struct Group: Hashable, Sendable {
        public var groupID: String
        /// v9+ (KIP-848 groups).
        public var memberID: String?
        /// v9+; -1 = not a KIP-848 member.
        public var memberEpoch: Int32
        /// nil asks for every partition with a committed offset (v2+).
        public var topics: [Topic]?

        public init(groupID: String, memberID: String? = nil, memberEpoch: Int32 = -1, topics: [Topic]?) {
            self.groupID = groupID
            self.memberID = memberID
            self.memberEpoch = memberEpoch
            self.topics = topics
        }
    }

    public var groups: [Group]
    public var requireStable: Bool

    public init(groups: [Group], requireStable: Bool = false) {
        self.groups = groups
        self.requireStable = requireStable
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(groups: [])
        if version <= 7 {
            let groupID = try buffer.readKafkaString(flexible: flexible)
            let topics = try Self.readTopics(from: &buffer, flexible: flexible)
            self.groups = [Group(groupID: groupID, topics: topics)]
        } else {
            self.groups = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 3) { buffer in
                var group = Group(groupID: try buffer.readKafkaString(flexible: flexible), topics: nil)
                if version >= 9 {
                    group.memberID = try buffer.readKafkaNullableString(flexible: flexible)
                    group.memberEpoch = try buffer.readKafkaInt32()
                }
                group.topics = try Self.readTopics(from: &buffer, flexible: flexible)
                if flexible { try buffer.readKafkaTaggedFields() }
                return group
            }
        }
        if version >= 7 { self.requireStable = try buffer.readKafkaBool() }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    private static func readTopics(from buffer: inout ByteBuffer, flexible: Bool) throws -> [Topic]? {
        try buffer.readKafkaNullableArray(flexible: flexible, minimumElementSize: 3) { buffer in
            let topic = Topic(
                name: try buffer.readKafkaString(flexible: flexible),
                partitionIndexes: try buffer.readKafkaInt32Array(flexible: flexible)
            )
            if flexible { try buffer.readKafkaTaggedFields() }
            return topic
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version <= 7 {
            guard self.groups.count == 1, let group = self.groups.first else {
                throw KafkaProtocolError(code: .invalidValue, detail: "v\(version) takes exactly one group")
            }
            guard version >= 2 || group.topics != nil else {
                throw KafkaProtocolError(code: .invalidValue, detail: "null topics (all partitions) needs v2+")
            }
            try buffer.writeKafkaString(group.groupID, flexible: flexible)
            try Self.writeTopics(group.topics, into: &buffer, flexible: flexible)
        } else {
            try buffer.writeKafkaArray(self.groups, flexible: flexible) { buffer, group in
                try buffer.writeKafkaString(group.groupID, flexible: flexible)
                if version >= 9 {
                    try buffer.writeKafkaNullableString(group.memberID, flexible: flexible)
                    buffer.writeKafkaInt32(group.memberEpoch)
                }
                try Self.writeTopics(group.topics, into: &buffer, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        }
        if version >= 7 { buffer.writeKafkaBool(self.requireStable) }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }

    private static func writeTopics(_ topics: [Topic]?, into buffer: inout ByteBuffer, flexible: Bool) throws {
        try buffer.writeKafkaNullableArray(topics, flexible: flexible) { buffer, topic in
            try buffer.writeKafkaString(topic.name, flexible: flexible)
            try buffer.writeKafkaInt32Array(topic.partitionIndexes, flexible: flexible)
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
    }
}
