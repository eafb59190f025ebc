/// Consumer settings. Names follow the Java client's (`group.id`, `session.timeout.ms`, ...).
///
/// Two modes:
/// - group mode (``groupID`` set, ``assignment`` empty): the consumer joins the group, the
///   group leader assigns the partitions of ``topics``, and offsets are committed to the group;
/// - manual assignment (``assignment`` not empty): the consumer reads exactly those partitions
///   and never joins a group; ``KafkaConsumer/commit(_:)-([TopicPartition:Int64])`` then needs
///   ``groupID`` to know where to store offsets.
public struct KafkaConsumerConfiguration: Sendable {
    /// A partition assignor the group leader may run (`partition.assignment.strategy`).
    public enum AssignmentStrategy: String, Hashable, Sendable, CaseIterable {
        /// Per topic, consecutive ranges of partitions to the members in order (Kafka's
        /// `RangeAssignor`).
        case range
        /// Every partition of every topic dealt to the members in turn (Kafka's
        /// `RoundRobinAssignor`).
        case roundRobin = "roundrobin"
    }

    /// Where to start when the group has no committed offset (`auto.offset.reset`), or after
    /// OFFSET_OUT_OF_RANGE.
    public enum AutoOffsetReset: Hashable, Sendable {
        /// The first offset still in the log.
        case earliest
        /// The end of the log: only records written from now on.
        case latest
    }

    /// Which records a fetch may return (`isolation.level`).
    public enum IsolationLevel: Int8, Hashable, Sendable {
        /// Everything written, transactional records before their commit included.
        case readUncommitted = 0
        /// Only up to the last stable offset; records of aborted transactions are skipped.
        case readCommitted = 1
    }

    /// The first offset of a manually assigned partition.
    public enum StartOffset: Hashable, Sendable {
        /// The first offset still in the log.
        case earliest
        /// The end of the log.
        case latest
        /// This offset (out of range: ``autoOffsetReset`` applies).
        case offset(Int64)
    }

    /// Connection, retry and timeout settings (bootstrap servers, client id, TLS, SASL).
    public var client: KafkaClientConfiguration
    /// The consumer group (`group.id`). nil: no group (manual assignment, no commits).
    public var groupID: String?
    /// The topics a group member subscribes to. Ignored in manual assignment mode.
    public var topics: [String]
    /// Manual assignment: the partitions to read and where to start. Not empty: no group join.
    public var assignment: [TopicPartition: StartOffset]
    /// Static membership (`group.instance.id`, KIP-345): a restart within the session timeout
    /// gets the same partitions back without a rebalance; the member does not leave the group
    /// on shutdown. Default nil.
    public var groupInstanceID: String?
    /// The assignors this member supports, preferred first. Default `[.range, .roundRobin]`.
    public var assignmentStrategies: [AssignmentStrategy]
    /// Without a heartbeat for this long the coordinator removes the member
    /// (`session.timeout.ms`). Default 45 s.
    public var sessionTimeout: Duration
    /// How long the coordinator waits for members to rejoin during a rebalance
    /// (`max.poll.interval.ms`; it bounds the time ``KafkaConsumer``'s `onRevoke` may take).
    /// Default 60 s.
    public var rebalanceTimeout: Duration
    /// The pause between heartbeats (`heartbeat.interval.ms`). Default 3 s.
    public var heartbeatInterval: Duration
    /// Where to start without a committed offset. Default ``AutoOffsetReset/latest``.
    public var autoOffsetReset: AutoOffsetReset
    /// Commit the offsets of records handed to the application every ``autoCommitInterval``
    /// and on revocation (`enable.auto.commit`). Default false: the application commits.
    public var enableAutoCommit: Bool
    /// The period of auto-commits (`auto.commit.interval.ms`). Default 5 s.
    public var autoCommitInterval: Duration
    /// The broker answers a fetch once it has this many bytes (`fetch.min.bytes`). Default 1.
    public var fetchMinBytes: Int32
    /// The largest fetch answer asked for (`fetch.max.bytes`). Default 52 428 800.
    public var fetchMaxBytes: Int32
    /// The largest amount of data per partition in a fetch answer
    /// (`max.partition.fetch.bytes`). Default 1 048 576.
    public var maxPartitionFetchBytes: Int32
    /// How long the broker may hold a fetch waiting for ``fetchMinBytes`` (`fetch.max.wait.ms`).
    /// Default 500 ms.
    public var fetchMaxWait: Duration
    /// Read uncommitted or committed records. Default ``IsolationLevel/readUncommitted``.
    public var isolationLevel: IsolationLevel
    /// Records fetched but not yet taken from ``KafkaConsumer/messages``; fetching pauses while
    /// the buffer holds this many (backpressure). Default 10 000.
    public var maxBufferedRecords: Int

    /// A group consumer of `topics`.
    public init(
        bootstrapServers: [KafkaBrokerAddress],
        groupID: String,
        topics: [String],
        clientID: String = "tributary"
    ) {
        self.init(client: KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: clientID))
        self.groupID = groupID
        self.topics = topics
    }

    /// A consumer of exactly the partitions of `assignment` (no group).
    public init(
        bootstrapServers: [KafkaBrokerAddress],
        assignment: [TopicPartition: StartOffset],
        clientID: String = "tributary"
    ) {
        self.init(client: KafkaClientConfiguration(bootstrapServers: bootstrapServers, clientID: clientID))
        self.assignment = assignment
    }

    /// A consumer with default settings over `client`; set ``groupID`` and ``topics``, or
    /// ``assignment``.
    public init(client: KafkaClientConfiguration) {
        self.client = client
        self.groupID = nil
        self.topics = []
        self.assignment = [:]
        self.groupInstanceID = nil
        self.assignmentStrategies = [.range, .roundRobin]
        self.sessionTimeout = .seconds(45)
        self.rebalanceTimeout = .seconds(60)
        self.heartbeatInterval = .seconds(3)
        self.autoOffsetReset = .latest
        self.enableAutoCommit = false
        self.autoCommitInterval = .seconds(5)
        self.fetchMinBytes = 1
        self.fetchMaxBytes = 52_428_800
        self.maxPartitionFetchBytes = 1_048_576
        self.fetchMaxWait = .milliseconds(500)
        self.isolationLevel = .readUncommitted
        self.maxBufferedRecords = 10_000
    }

    /// Whether the consumer joins a group (no manual assignment).
    var usesGroup: Bool { self.assignment.isEmpty }

    /// Throws ``KafkaError/Code/invalidConfiguration`` for settings that cannot work.
    func validate() throws {
        func invalid(_ message: String) -> KafkaError { KafkaError(code: .invalidConfiguration, message: message) }
        if self.usesGroup {
            guard let groupID = self.groupID, !groupID.isEmpty else {
                throw invalid("a consumer needs a group id, or a manual assignment")
            }
            guard !self.topics.isEmpty else { throw invalid("a group consumer needs at least one topic") }
            guard !self.assignmentStrategies.isEmpty else { throw invalid("no assignment strategy") }
            guard self.heartbeatInterval < self.sessionTimeout else {
                throw invalid("the heartbeat interval must be shorter than the session timeout")
            }
        }
        guard self.maxBufferedRecords > 0 else { throw invalid("max buffered records must be positive") }
        guard self.fetchMaxBytes > 0, self.maxPartitionFetchBytes > 0, self.fetchMinBytes >= 0 else {
            throw invalid("fetch sizes must be positive")
        }
    }
}
