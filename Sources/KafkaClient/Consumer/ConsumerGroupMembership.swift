import KafkaProtocol

/// The member side of the classic group protocol (KIP-62/345/394), as a value type: it keeps
/// the member id and generation and turns each coordinator answer into the next step. The
/// consumer performs the I/O; this type decides.
struct ConsumerGroupMembership: Hashable, Sendable {
    enum State: Hashable, Sendable {
        /// Not a member of a generation (never joined, or must rejoin).
        case unjoined
        /// JoinGroup sent.
        case joining
        /// JoinGroup answered; SyncGroup sent.
        case syncing
        /// SyncGroup answered: the member owns its assignment and heartbeats.
        case stable
        /// LeaveGroup sent or the consumer stopped.
        case left
    }

    /// What the consumer does after an answer.
    enum Step: Hashable, Sendable {
        /// Send SyncGroup; the leader computes the assignment first.
        case sync(isLeader: Bool)
        /// The assignment is in force: fetch, heartbeat.
        case assigned
        /// Keep going (heartbeat answered normally).
        case proceed
        /// Revoke what is owned (cleanly: the generation is still valid) and join again.
        case rejoin
        /// The membership is gone: owned partitions are lost (no commit possible); join again.
        case lostAndRejoin
        /// The coordinator moved or is loading: find it again, then retry.
        case findCoordinator
        /// A fatal error: stop the consumer with it.
        case fail(KafkaErrorCode)
    }

    private(set) var state = State.unjoined
    /// Empty until the coordinator gave one (KIP-394: JoinGroup answers MEMBER_ID_REQUIRED).
    private(set) var memberID = ""
    private(set) var generationID: Int32 = -1
    private(set) var leaderID = ""
    /// The protocol (assignor) the coordinator chose.
    private(set) var protocolName: String?
    let groupInstanceID: String?

    init(groupInstanceID: String? = nil) {
        self.groupInstanceID = groupInstanceID
    }

    var isLeader: Bool { !self.memberID.isEmpty && self.memberID == self.leaderID }

    /// Whether owned partitions may still be committed (the generation is current).
    var isStable: Bool { self.state == .stable }

    mutating func joinSent() {
        self.state = .joining
    }

    /// Handles a JoinGroup answer.
    mutating func joinAnswered(_ response: JoinGroupResponse) -> Step {
        switch response.errorCode {
        case .noError:
            self.memberID = response.memberID
            self.generationID = response.generationID
            self.leaderID = response.leader
            self.protocolName = response.protocolName
            self.state = .syncing
            return .sync(isLeader: self.isLeader)
        case .memberIDRequired:
            // KIP-394: join again at once with the id the coordinator gave.
            self.memberID = response.memberID
            self.state = .unjoined
            return .rejoin
        case .unknownMemberID:
            self.resetIdentity()
            return .rejoin
        case .rebalanceInProgress, .illegalGeneration:
            self.state = .unjoined
            return .rejoin
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            self.state = .unjoined
            return .findCoordinator
        default:
            self.state = .unjoined
            return response.errorCode.isRetriable ? .rejoin : .fail(response.errorCode)
        }
    }

    /// Handles a SyncGroup answer.
    mutating func syncAnswered(errorCode: KafkaErrorCode) -> Step {
        switch errorCode {
        case .noError:
            self.state = .stable
            return .assigned
        case .rebalanceInProgress:
            self.state = .unjoined
            return .rejoin
        case .unknownMemberID, .illegalGeneration:
            self.resetIdentity(keepMemberID: errorCode == .illegalGeneration)
            return .rejoin
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            self.state = .unjoined
            return .findCoordinator
        default:
            self.state = .unjoined
            return errorCode.isRetriable ? .rejoin : .fail(errorCode)
        }
    }

    /// Handles a Heartbeat answer while stable.
    mutating func heartbeatAnswered(errorCode: KafkaErrorCode) -> Step {
        switch errorCode {
        case .noError:
            return .proceed
        case .rebalanceInProgress:
            // The generation is still valid: the member can commit, then rejoin.
            self.state = .unjoined
            return .rejoin
        case .unknownMemberID, .illegalGeneration:
            self.resetIdentity(keepMemberID: errorCode == .illegalGeneration)
            return .lostAndRejoin
        case .fencedInstanceID:
            // KIP-345: another process uses our group.instance.id; we must not fight it.
            return .fail(errorCode)
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            return .findCoordinator
        default:
            return errorCode.isRetriable ? .proceed : .fail(errorCode)
        }
    }

    /// The session expired without an answered heartbeat: the coordinator has dropped us.
    mutating func sessionExpired() {
        self.resetIdentity()
    }

    /// Handles an OffsetCommit partition error: whether it means the membership must be renewed.
    mutating func commitFailed(errorCode: KafkaErrorCode) -> Step {
        switch errorCode {
        case .rebalanceInProgress:
            // The generation stays valid until the rejoin: revoke (with commits) now.
            if self.state == .stable { self.state = .unjoined }
            return .rejoin
        case .unknownMemberID, .illegalGeneration:
            self.resetIdentity(keepMemberID: errorCode == .illegalGeneration)
            return .lostAndRejoin
        case .notCoordinator, .coordinatorNotAvailable, .coordinatorLoadInProgress:
            return .findCoordinator
        default:
            return .proceed
        }
    }

    mutating func left() {
        self.state = .left
        self.generationID = -1
    }

    private mutating func resetIdentity(keepMemberID: Bool = false) {
        if !keepMemberID { self.memberID = "" }
        self.generationID = -1
        self.leaderID = ""
        self.state = .unjoined
    }
}
