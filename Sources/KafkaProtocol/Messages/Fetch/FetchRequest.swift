import NIOCore

/// Fetch request (key 1), versions 4-17 (FetchRequest.json, flexible 12+):
///
///     replica_id INT32 (v0-14; v15+ moves it into tagged field 1 replica_state, KIP-903)
///     max_wait_ms INT32, min_bytes INT32, max_bytes INT32 (v3+), isolation_level INT8 (v4+)
///     session_id INT32 (v7+), session_epoch INT32 (v7+)          (incremental fetch, KIP-227)
///     topics [topic STRING (v0-12) | topic_id UUID (v13+),
///             partitions [partition INT32, current_leader_epoch INT32 (v9+), fetch_offset INT64,
///                         last_fetched_epoch INT32 (v12+), log_start_offset INT64 (v5+),
///                         partition_max_bytes INT32, tag 0: replica_directory_id UUID (v17+)]]
///     forgotten_topics_data [topic STRING (v7-12) | topic_id UUID (v13+), partitions [INT32]] (v7+)
///     rack_id STRING (v11+)
///     tags: 0 cluster_id NULLABLE_STRING (v12+), 1 replica_state {replica_id INT32, replica_epoch INT64} (v15+)
///
/// Topics are named up to v12 and identified by topic id from v13 (KIP-516); fill in whichever
/// the negotiated version needs (``Topic/topic`` or ``Topic/topicID``).
public struct FetchRequest: KafkaRequest {
    public typealias Response = FetchResponse
    public static let apiKey = APIKey.fetch

    public struct Partition: Hashable, Sendable {
        public var partition: Int32
        /// v9+; -1 = unknown (no fencing).
        public var currentLeaderEpoch: Int32
        public var fetchOffset: Int64
        /// v12+; -1 = unknown.
        public var lastFetchedEpoch: Int32
        /// v5+; only followers set it, consumers send -1.
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32
        /// Tagged (v17+), followers only.
        public var replicaDirectoryID: KafkaUUID

        public init(
            partition: Int32,
            currentLeaderEpoch: Int32 = -1,
            fetchOffset: Int64,
            lastFetchedEpoch: Int32 = -1,
            logStartOffset: Int64 = -1,
            partitionMaxBytes: Int32,
            replicaDirectoryID: KafkaUUID = .zero
        ) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.lastFetchedEpoch = lastFetchedEpoch
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
            self.replicaDirectoryID = replicaDirectoryID
        }
    }

    public struct Topic: Hashable, Sendable {
        /// The name (used up to v12).
        public var topic: String
        /// The id (used from v13).
        public var topicID: KafkaUUID
        public var partitions: [Partition]

        public init(topic: String, topicID: KafkaUUID = .zero, partitions: [Partition]) {
            self.topic = topic
            self.topicID = topicID
            self.partitions = partitions
        }
    }

    public struct ForgottenTopic: Hashable, Sendable {
        public var topic: String
        public var topicID: KafkaUUID
        public var partitions: [Int32]

        public init(topic: String, topicID: KafkaUUID = .zero, partitions: [Int32]) {
            self.topic = topic
            self.topicID = topicID
            self.partitions = partitions
        }
    }

    /// Tagged (v12+): the cluster id the client expects (KIP-595), nil = do not check.
    public var clusterID: String?
    /// -1 for consumers.
    public var replicaID: Int32
    /// The follower's broker epoch (v15+, in replica_state), -1 otherwise.
    public var replicaEpoch: Int64
    public var maxWaitMs: Int32
    public var minBytes: Int32
    public var maxBytes: Int32
    /// 0 read uncommitted, 1 read committed.
    public var isolationLevel: Int8
    /// 0 = no fetch session (full fetch every time).
    public var sessionID: Int32
    /// -1 = full fetch without creating a session; 0 = create a session.
    public var sessionEpoch: Int32
    public var topics: [Topic]
    public var forgottenTopicsData: [ForgottenTopic]
    public var rackID: String

    public init(
        clusterID: String? = nil,
        replicaID: Int32 = -1,
        replicaEpoch: Int64 = -1,
        maxWaitMs: Int32,
        minBytes: Int32,
        maxBytes: Int32 = Int32.max,
        isolationLevel: Int8 = 0,
        sessionID: Int32 = 0,
        sessionEpoch: Int32 = -1,
        topics: [Topic],
        forgottenTopicsData: [ForgottenTopic] = [],
        rackID: String = ""
    ) {
        self.clusterID = clusterID
        self.replicaID = replicaID
        self.replicaEpoch = replicaEpoch
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.sessionID = sessionID
        self.sessionEpoch = sessionEpoch
        self.topics = topics
        self.forgottenTopicsData = forgottenTopicsData
        self.rackID = rackID
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init(maxWaitMs: 0, minBytes: 0, topics: [])
        if version <= 14 { self.replicaID = try buffer.readKafkaInt32() }
        self.maxWaitMs = try buffer.readKafkaInt32()
        self.minBytes = try buffer.readKafkaInt32()
        self.maxBytes = try buffer.readKafkaInt32()
        self.isolationLevel = try buffer.readKafkaInt8()
        if version >= 7 {
            self.sessionID = try buffer.readKafkaInt32()
            self.sessionEpoch = try buffer.readKafkaInt32()
        }
        self.topics = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
            var topic = Topic(topic: "", partitions: [])
            if version >= 13 {
                topic.topicID = try buffer.readKafkaUUID()
            } else {
                topic.topic = try buffer.readKafkaString(flexible: flexible)
            }
            topic.partitions = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 16) { buffer in
                var partition = Partition(partition: try buffer.readKafkaInt32(), fetchOffset: 0, partitionMaxBytes: 0)
                if version >= 9 { partition.currentLeaderEpoch = try buffer.readKafkaInt32() }
                partition.fetchOffset = try buffer.readKafkaInt64()
                if version >= 12 { partition.lastFetchedEpoch = try buffer.readKafkaInt32() }
                if version >= 5 { partition.logStartOffset = try buffer.readKafkaInt64() }
                partition.partitionMaxBytes = try buffer.readKafkaInt32()
                if flexible {
                    try buffer.readKafkaTaggedFields { tag, data in
                        guard tag == 0, version >= 17 else { return false }
                        partition.replicaDirectoryID = try data.readKafkaUUID()
                        return true
                    }
                }
                return partition
            }
            if flexible { try buffer.readKafkaTaggedFields() }
            return topic
        }
        if version >= 7 {
            self.forgottenTopicsData = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 2) { buffer in
                var forgotten = ForgottenTopic(topic: "", partitions: [])
                if version >= 13 {
                    forgotten.topicID = try buffer.readKafkaUUID()
                } else {
                    forgotten.topic = try buffer.readKafkaString(flexible: flexible)
                }
                forgotten.partitions = try buffer.readKafkaInt32Array(flexible: flexible)
                if flexible { try buffer.readKafkaTaggedFields() }
                return forgotten
            }
        }
        if version >= 11 { self.rackID = try buffer.readKafkaString(flexible: flexible) }
        if flexible {
            try buffer.readKafkaTaggedFields { tag, data in
                switch tag {
                case 0:
                    self.clusterID = try data.readKafkaCompactNullableString()
                case 1 where version >= 15:
                    self.replicaID = try data.readKafkaInt32()
                    self.replicaEpoch = try data.readKafkaInt64()
                    try data.readKafkaTaggedFields()
                default:
                    return false
                }
                return true
            }
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version <= 14 { buffer.writeKafkaInt32(self.replicaID) }
        buffer.writeKafkaInt32(self.maxWaitMs)
        buffer.writeKafkaInt32(self.minBytes)
        buffer.writeKafkaInt32(self.maxBytes)
        buffer.writeKafkaInt8(self.isolationLevel)
        if version >= 7 {
            buffer.writeKafkaInt32(self.sessionID)
            buffer.writeKafkaInt32(self.sessionEpoch)
        }
        try buffer.writeKafkaArray(self.topics, flexible: flexible) { buffer, topic in
            if version >= 13 {
                buffer.writeKafkaUUID(topic.topicID)
            } else {
                try buffer.writeKafkaString(topic.topic, flexible: flexible)
            }
            try buffer.writeKafkaArray(topic.partitions, flexible: flexible) { buffer, partition in
                buffer.writeKafkaInt32(partition.partition)
                if version >= 9 { buffer.writeKafkaInt32(partition.currentLeaderEpoch) }
                buffer.writeKafkaInt64(partition.fetchOffset)
                if version >= 12 { buffer.writeKafkaInt32(partition.lastFetchedEpoch) }
                if version >= 5 { buffer.writeKafkaInt64(partition.logStartOffset) }
                buffer.writeKafkaInt32(partition.partitionMaxBytes)
                if flexible {
                    var tagged = KafkaTaggedFields()
                    if version >= 17, !partition.replicaDirectoryID.isZero {
                        tagged.append(tag: 0) { $0.writeKafkaUUID(partition.replicaDirectoryID) }
                    }
                    buffer.writeKafkaTaggedFields(tagged)
                }
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if version >= 7 {
            try buffer.writeKafkaArray(self.forgottenTopicsData, flexible: flexible) { buffer, forgotten in
                if version >= 13 {
                    buffer.writeKafkaUUID(forgotten.topicID)
                } else {
                    try buffer.writeKafkaString(forgotten.topic, flexible: flexible)
                }
                try buffer.writeKafkaInt32Array(forgotten.partitions, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        }
        if version >= 11 { try buffer.writeKafkaString(self.rackID, flexible: flexible) }
        if flexible {
            var tagged = KafkaTaggedFields()
            if let clusterID = self.clusterID {
                tagged.append(tag: 0) { $0.writeKafkaCompactNullableString(clusterID) }
            }
            if version >= 15, self.replicaID != -1 {
                tagged.append(tag: 1) {
                    $0.writeKafkaInt32(self.replicaID)
                    $0.writeKafkaInt64(self.replicaEpoch)
                    $0.writeKafkaEmptyTaggedFields()
                }
            }
            buffer.writeKafkaTaggedFields(tagged)
        }
    }
}
