import NIOCore

/// The member metadata a consumer puts in JoinGroup's protocol metadata when the protocol type
/// is "consumer" (ConsumerProtocolSubscription.json; versioned by its own leading INT16):
///
///     version INT16
///     topics [STRING]
///     user_data NULLABLE_BYTES
///     owned_partitions [topic STRING, partitions [INT32]] (v1+, KIP-429)
///     generation_id INT32 (v2+, default -1, KIP-792)
///     rack_id NULLABLE_STRING (v3+, KIP-881)
///
/// Never flexible: classic strings and arrays in every version.
public struct ConsumerProtocolSubscription: Hashable, Sendable {
    public struct TopicPartitions: Hashable, Sendable {
        public var topic: String
        public var partitions: [Int32]

        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }
    }

    public var version: Int16
    public var topics: [String]
    public var userData: ByteBuffer?
    public var ownedPartitions: [TopicPartitions]
    public var generationID: Int32
    public var rackID: String?

    public init(
        version: Int16 = 3,
        topics: [String],
        userData: ByteBuffer? = nil,
        ownedPartitions: [TopicPartitions] = [],
        generationID: Int32 = -1,
        rackID: String? = nil
    ) {
        self.version = version
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
        self.generationID = generationID
        self.rackID = rackID
    }

    /// Decodes the metadata. Versions above 3 are read as 3 (newer fields are appended at the
    /// end, so the known prefix stays valid), as the Java consumer does.
    public init(from bytes: ByteBuffer) throws {
        var buffer = bytes
        self.init(topics: [])
        self.version = try buffer.readKafkaInt16()
        guard self.version >= 0 else {
            throw KafkaProtocolError(code: .unsupportedVersion, detail: "subscription version \(self.version)")
        }
        self.topics = try buffer.readKafkaStringArray(flexible: false)
        self.userData = try buffer.readKafkaNullableBytes()
        if self.version >= 1 {
            self.ownedPartitions = try buffer.readKafkaArray(flexible: false, minimumElementSize: 6) { buffer in
                TopicPartitions(
                    topic: try buffer.readKafkaString(),
                    partitions: try buffer.readKafkaInt32Array(flexible: false)
                )
            }
        }
        if self.version >= 2 { self.generationID = try buffer.readKafkaInt32() }
        if self.version >= 3 { self.rackID = try buffer.readKafkaNullableString() }
    }

    /// Encodes the metadata at ``version``.
    public func encoded() throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeKafkaInt16(self.version)
        try buffer.writeKafkaStringArray(self.topics, flexible: false)
        buffer.writeKafkaNullableBytes(self.userData)
        if self.version >= 1 {
            try buffer.writeKafkaArray(self.ownedPartitions, flexible: false) { buffer, owned in
                try buffer.writeKafkaString(owned.topic)
                try buffer.writeKafkaInt32Array(owned.partitions, flexible: false)
            }
        }
        if self.version >= 2 { buffer.writeKafkaInt32(self.generationID) }
        if self.version >= 3 { try buffer.writeKafkaNullableString(self.rackID) }
        return buffer
    }
}
