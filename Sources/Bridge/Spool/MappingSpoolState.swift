import DequeModule

/// How a mapping uses the spool (its `mode` and `on-kafka-unavailable`).
enum SpoolPolicy: Sendable, Hashable {
    case async
    case syncSpool
    case syncReject
}

/// A spool's bounds.
struct SpoolLimits: Sendable, Hashable {
    var maximumRecords: Int
    var maximumBytes: Int
}

/// Where one mapping's records go — straight to Kafka or into the durable spool — and when the
/// spool may drain. Pure logic; the bridge keeps one per mapping under a lock and does the I/O
/// the answers ask for.
///
/// The rules (../shared/DESIGN.md, "Delivery promises"):
/// - `async`: every record goes to the spool; the publisher is acknowledged once it is on disk,
///   and the spool drains to Kafka in arrival order.
/// - `sync` with `on-kafka-unavailable: spool`: records go straight to Kafka and the publisher
///   waits for Kafka's acknowledgement. When the oldest unanswered record has waited
///   `unavailableAfter`, Kafka counts as unavailable: every unanswered record gets a copy in the
///   spool (a *shadow*; the publisher is acknowledged once it is on disk) and every later record
///   goes to the spool. The producer keeps retrying the originals; an original that Kafka
///   acknowledges later takes its shadow out of the spool. The spool drains only once no
///   original is left, so replayed records come after everything sent before them; when it is
///   empty again the mapping goes back to sending straight to Kafka.
/// - `sync` with `reject`: records go straight to Kafka, nothing is tracked here; the producer's
///   delivery timeout fails them.
///
/// Records of one key therefore reach Kafka in arrival order through fallback and replay.
struct MappingSpoolState<Payload> {
    typealias Policy = SpoolPolicy
    typealias Limits = SpoolLimits

    enum Route: Equatable {
        /// Send it to Kafka; the publisher waits for Kafka's answer.
        case direct
        /// Write it to the spool; the publisher waits for the commit.
        case spool
        /// The spool is full: refuse it (v5 0x97), never drop it silently.
        case full
    }

    /// What to do when Kafka answered a record sent straight to it.
    enum DirectAnswer: Equatable {
        /// The publisher is still waiting: give it the answer.
        case answerPublisher
        /// The record had a shadow in the spool and its publisher was answered then; Kafka took
        /// the original, so the shadow goes.
        case deleteShadow
        /// The record had a shadow and Kafka refused the original: the shadow stays and the
        /// replay decides (it reaches the dead letters if Kafka refuses it again).
        case keepShadow
    }

    /// A record sent straight to Kafka and not answered yet.
    struct Pending {
        var payload: Payload
        var arrival: ContinuousClock.Instant
        var size: Int
        var shadowed = false
    }

    /// A record that must get a shadow in the spool now.
    struct Shadow {
        var sequence: Int64
        var payload: Payload
        var size: Int
    }

    let policy: Policy
    let limits: Limits
    /// Records go to the spool (always for `async`; after a fallback for `sync`).
    private(set) var spooling: Bool
    /// Records in the spool, replayed or not, until Kafka acknowledged them.
    private(set) var spooledRecords = 0
    private(set) var spooledBytes = 0
    private var pending: [Int64: Pending] = [:]
    private var pendingOrder: Deque<Int64> = []

    init(policy: Policy, limits: Limits) {
        self.policy = policy
        self.limits = limits
        self.spooling = policy == .async
    }

    /// Nine tenths of a bound are used: publishers should wait (the broker stops reading their
    /// sockets) before the spool is full and has to refuse records.
    var isNearlyFull: Bool {
        spooledRecords * 10 >= limits.maximumRecords * 9 || spooledBytes * 10 >= limits.maximumBytes * 9
    }

    /// Records sent straight to Kafka that are not answered yet.
    var pendingDirectCount: Int { pending.count }

    /// Whether the drain may read the spool now: it holds records and nothing sent straight to
    /// Kafka before them is still unanswered.
    var mayDrain: Bool { spooling && spooledRecords > 0 && pending.isEmpty }

    /// The spool held records when the store was opened: they drain before anything new is sent.
    mutating func restore(records: Int, bytes: Int) {
        spooledRecords += records
        spooledBytes += bytes
        if records > 0 { spooling = true }
    }

    /// Decides where a new record goes and counts it there.
    mutating func route(sequence: Int64, size: Int, payload: Payload, now: ContinuousClock.Instant) -> Route {
        if spooling {
            guard spooledRecords < limits.maximumRecords, spooledBytes + size <= limits.maximumBytes else {
                return .full
            }
            spooledRecords += 1
            spooledBytes += size
            return .spool
        }
        switch policy {
        case .async:
            preconditionFailure("an async mapping always spools")
        case .syncReject:
            return .direct
        case .syncSpool:
            pending[sequence] = Pending(payload: payload, arrival: now, size: size)
            pendingOrder.append(sequence)
            return .direct
        }
    }

    /// Kafka answered a record that went straight to it (`acknowledged`: it has the record).
    mutating func directAnswered(sequence: Int64, acknowledged: Bool) -> DirectAnswer {
        guard let entry = pending.removeValue(forKey: sequence) else { return .answerPublisher }
        trimPendingOrder()
        guard entry.shadowed else { return .answerPublisher }
        guard acknowledged else { return .keepShadow }
        spooledRecords -= 1
        spooledBytes -= entry.size
        return .deleteShadow
    }

    /// Called periodically: when the oldest unanswered record has waited `unavailableAfter`,
    /// Kafka counts as unavailable, the mapping starts spooling and the unanswered records that
    /// fit get shadows. Those that do not fit keep waiting for Kafka (backpressure).
    mutating func checkAvailability(now: ContinuousClock.Instant, unavailableAfter: Duration) -> [Shadow] {
        guard policy == .syncSpool || spooling, let oldest = pendingOrder.first, let entry = pending[oldest],
            now - entry.arrival >= unavailableAfter
        else { return [] }
        spooling = true
        var shadows: [Shadow] = []
        for sequence in pendingOrder {
            guard var entry = pending[sequence], !entry.shadowed else { continue }
            guard spooledRecords < limits.maximumRecords, spooledBytes + entry.size <= limits.maximumBytes else {
                break
            }
            entry.shadowed = true
            pending[sequence] = entry
            spooledRecords += 1
            spooledBytes += entry.size
            shadows.append(Shadow(sequence: sequence, payload: entry.payload, size: entry.size))
        }
        return shadows
    }

    /// Replayed records left the spool (Kafka acknowledged them, or they went to the dead
    /// letters). Returns true when a `sync` mapping goes back to sending straight to Kafka.
    mutating func replayed(records: Int, bytes: Int) -> Bool {
        spooledRecords -= records
        spooledBytes -= bytes
        guard policy != .async, spooledRecords == 0, pending.isEmpty, spooling else { return false }
        spooling = false
        return true
    }

    /// A spool write failed: the record is not in the spool after all.
    mutating func spoolWriteFailed(size: Int) {
        spooledRecords -= 1
        spooledBytes -= size
    }

    private mutating func trimPendingOrder() {
        while let first = pendingOrder.first, pending[first] == nil {
            pendingOrder.removeFirst()
        }
    }
}

extension MappingSpoolState: Sendable where Payload: Sendable {}
extension MappingSpoolState.Pending: Sendable where Payload: Sendable {}
extension MappingSpoolState.Shadow: Sendable where Payload: Sendable {}
