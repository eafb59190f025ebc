import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Group membership: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup (the classic
/// consumer group protocol, KIP-62 heartbeats, KIP-345 static members, KIP-394 member ids).
extension KafkaConsumer {
    static let protocolType = "consumer"

    var groupID: String { self.configuration.groupID ?? "" }

    /// Joins, heartbeats and rejoins until shutdown; then revokes and leaves.
    func runGroupLoop() async throws {
        var attempt = 0
        while !self.isShuttingDown && !Task.isCancelled {
            do {
                try await self.join()
                attempt = 0
                try await self.heartbeatUntilRejoin()
            } catch let error as KafkaError where error.isRetriable {
                attempt += 1
                self.logger.warning("group membership failed, retrying", metadata: ["error": "\(error)"])
                self.forgetCoordinator()
                await self.groupSignal.wait(timeout: self.configuration.client.backoff(attempt: attempt))
            }
        }
        if Task.isCancelled {
            // Stopped at once: no onRevoke, but give the partitions back quickly.
            _ = self.state.withLockedValue { $0.fetch.revokeAll() }
        } else {
            await self.revoke(lost: false)
        }
        await self.leaveGroup()
    }

    // MARK: Coordinator

    /// The coordinator's connection, found with FindCoordinator when unknown.
    func coordinatorConnection() async throws -> KafkaBrokerConnection {
        if let nodeID = self.state.withLockedValue({ $0.coordinator }) {
            do {
                return try await self.cluster.coordinatorConnection(to: nodeID)
            } catch {
                self.forgetCoordinator()
                throw error
            }
        }
        let connection = try await self.cluster.anyConnection()
        let response = try await connection.send(FindCoordinatorRequest(keyType: .group, keys: [self.groupID]))
        guard let coordinator = response.coordinators.first else {
            throw KafkaError(code: .protocolViolation, message: "FindCoordinator answer without a coordinator")
        }
        guard coordinator.errorCode.isSuccess else {
            throw KafkaError.broker(coordinator.errorCode, "finding the coordinator of group \(self.groupID)")
        }
        self.state.withLockedValue { $0.coordinator = coordinator.nodeID }
        self.logger.debug("group coordinator", metadata: ["kafka.node": "\(coordinator.nodeID)"])
        return try await self.cluster.coordinatorConnection(to: coordinator.nodeID)
    }

    func forgetCoordinator() {
        self.state.withLockedValue { $0.coordinator = nil }
    }

    // MARK: Join and sync

    /// JoinGroup then SyncGroup until the member has an assignment; then looks up positions and
    /// announces the assignment.
    private func join() async throws {
        var attempt = 0
        while !self.isShuttingDown && !Task.isCancelled {
            let connection = try await self.coordinatorConnection()
            let (memberID, instanceID) = self.state.withLockedValue { state in
                state.membership.joinSent()
                return (state.membership.memberID, state.membership.groupInstanceID)
            }
            let request = JoinGroupRequest(
                groupID: self.groupID,
                sessionTimeoutMs: self.configuration.sessionTimeout.milliseconds,
                rebalanceTimeoutMs: self.configuration.rebalanceTimeout.milliseconds,
                memberID: memberID,
                groupInstanceID: instanceID,
                protocolType: Self.protocolType,
                protocols: try self.configuration.assignmentStrategies.map {
                    JoinGroupRequest.GroupProtocol(
                        name: $0.rawValue,
                        metadata: try ConsumerProtocolSubscription(topics: self.configuration.topics.sorted()).encoded()
                    )
                }
            )
            // The coordinator holds JoinGroup until every member rejoined (up to the rebalance timeout).
            let response = try await connection.send(
                request,
                timeout: self.configuration.rebalanceTimeout + self.configuration.client.requestTimeout
            )
            let step = self.state.withLockedValue { $0.membership.joinAnswered(response) }
            switch step {
            case .sync(let isLeader):
                if try await self.sync(connection: connection, join: response, isLeader: isLeader) { return }
            case .rejoin, .lostAndRejoin:
                // MEMBER_ID_REQUIRED asks for an immediate rejoin; others back off a little.
                if response.errorCode != .memberIDRequired {
                    attempt += 1
                    await self.groupSignal.wait(timeout: self.configuration.client.backoff(attempt: attempt))
                }
            case .findCoordinator:
                self.forgetCoordinator()
                attempt += 1
                await self.groupSignal.wait(timeout: self.configuration.client.backoff(attempt: attempt))
            case .fail(let code):
                throw Self.fatal(code, "joining group \(self.groupID)")
            case .assigned, .proceed:
                continue
            }
        }
    }

    /// SyncGroup; returns true when the member got its assignment and it is in force.
    private func sync(connection: KafkaBrokerConnection, join: JoinGroupResponse, isLeader: Bool) async throws -> Bool {
        let (generationID, memberID, instanceID) = self.state.withLockedValue {
            ($0.membership.generationID, $0.membership.memberID, $0.membership.groupInstanceID)
        }
        let assignments = isLeader ? try await self.computeAssignments(join) : []
        let request = SyncGroupRequest(
            groupID: self.groupID,
            generationID: generationID,
            memberID: memberID,
            groupInstanceID: instanceID,
            protocolType: Self.protocolType,
            protocolName: join.protocolName,
            assignments: assignments
        )
        let response = try await connection.send(
            request,
            timeout: self.configuration.rebalanceTimeout + self.configuration.client.requestTimeout
        )
        let step = self.state.withLockedValue { $0.membership.syncAnswered(errorCode: response.errorCode) }
        switch step {
        case .assigned:
            let assignment = try ConsumerProtocolAssignment(from: response.assignment)
            let partitions = assignment.assignedPartitions.flatMap { entry in
                entry.partitions.map { TopicPartition(topic: entry.topic, partition: $0) }
            }
            self.logger.info(
                "joined group",
                metadata: [
                    "kafka.group": "\(self.groupID)", "kafka.generation": "\(generationID)",
                    "kafka.member": "\(memberID)", "kafka.leader": "\(isLeader)",
                ]
            )
            try await self.startAssignment(partitions)
            return true
        case .findCoordinator:
            self.forgetCoordinator()
            return false
        case .fail(let code):
            throw Self.fatal(code, "syncing group \(self.groupID)")
        case .rejoin, .lostAndRejoin, .proceed, .sync:
            return false
        }
    }

    /// The leader's job: decode every member's subscription, run the chosen assignor.
    private func computeAssignments(_ join: JoinGroupResponse) async throws -> [SyncGroupRequest.Assignment] {
        let members = try join.members.map { member in
            let subscription = try ConsumerProtocolSubscription(from: member.metadata)
            return ConsumerGroupMember(
                memberID: member.memberID,
                groupInstanceID: member.groupInstanceID,
                topics: Set(subscription.topics)
            )
        }
        var partitionCounts: [String: Int32] = [:]
        for topic in Set(members.flatMap(\.topics)).sorted() {
            do {
                partitionCounts[topic] = Int32(try await self.cluster.topic(topic).partitions.count)
            } catch {
                // A topic that does not exist (yet) gets no partitions, as in the Java client.
                self.logger.warning(
                    "subscribed topic unavailable",
                    metadata: ["kafka.topic": "\(topic)", "error": "\(error)"]
                )
            }
        }
        let strategy = KafkaConsumerConfiguration.AssignmentStrategy(rawValue: join.protocolName ?? "")
        guard let assignor = strategy?.assignor else {
            throw KafkaError(
                code: .protocolViolation,
                message: "the coordinator chose assignor \(join.protocolName ?? "nil"), which this member did not offer"
            )
        }
        let result = assignor.assign(members: members, partitionCounts: partitionCounts)
        return try members.map { member in
            let partitions = result[member.memberID] ?? []
            let grouped = Dictionary(grouping: partitions, by: \.topic)
            let assignment = ConsumerProtocolAssignment(
                version: 0,
                assignedPartitions: grouped.keys.sorted().map { topic in
                    .init(topic: topic, partitions: grouped[topic]!.map(\.partition).sorted())
                }
            )
            return SyncGroupRequest.Assignment(memberID: member.memberID, assignment: try assignment.encoded())
        }
    }

    /// Looks up the committed offsets (auto.offset.reset for the rest), then puts the
    /// assignment in force and announces it.
    private func startAssignment(_ partitions: [TopicPartition]) async throws {
        let positions = try await self.initialPositions(partitions)
        self.state.withLockedValue { $0.fetch.assign(positions.mapValues { Optional($0) }) }
        self.emit(.assigned(partitions.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }))
        self.fetchSignal.signal()
    }

    // MARK: Stable

    /// Heartbeats every heartbeat interval (and auto-commits) until the group rebalances, the
    /// membership is lost, or shutdown begins.
    private func heartbeatUntilRejoin() async throws {
        var lastAnswered = ContinuousClock.now
        var nextAutoCommit = ContinuousClock.now + self.configuration.autoCommitInterval
        while true {
            await self.groupSignal.wait(timeout: self.configuration.heartbeatInterval)
            if self.isShuttingDown || Task.isCancelled { return }
            if self.configuration.enableAutoCommit, ContinuousClock.now >= nextAutoCommit {
                nextAutoCommit = .now + self.configuration.autoCommitInterval
                await self.autoCommit()
            }
            let request = self.state.withLockedValue { state -> HeartbeatRequest? in
                // A commit may have found the group rebalancing or the member gone.
                guard state.membership.isStable else { return nil }
                return HeartbeatRequest(
                    groupID: self.groupID,
                    generationID: state.membership.generationID,
                    memberID: state.membership.memberID,
                    groupInstanceID: state.membership.groupInstanceID
                )
            }
            guard let request else {
                await self.revoke(lost: self.state.withLockedValue { $0.membership.generationID < 0 })
                return
            }
            let step: ConsumerGroupMembership.Step
            do {
                let response = try await self.coordinatorConnection().send(request)
                step = self.state.withLockedValue { $0.membership.heartbeatAnswered(errorCode: response.errorCode) }
            } catch {
                let error = KafkaError.wrapping(error, "heartbeat")
                guard error.isRetriable else { throw error }
                self.forgetCoordinator()
                if lastAnswered.duration(to: .now) > self.configuration.sessionTimeout {
                    self.logger.warning(
                        "no heartbeat answered within the session timeout",
                        metadata: ["error": "\(error)"]
                    )
                    self.state.withLockedValue { $0.membership.sessionExpired() }
                    await self.revoke(lost: true)
                    return
                }
                continue
            }
            switch step {
            case .proceed:
                lastAnswered = .now
            case .rejoin:
                await self.revoke(lost: false)
                return
            case .lostAndRejoin:
                await self.revoke(lost: true)
                return
            case .findCoordinator:
                self.forgetCoordinator()
            case .fail(let code):
                throw Self.fatal(code, "heartbeat in group \(self.groupID)")
            case .assigned, .sync:
                lastAnswered = .now
            }
        }
    }

    /// Takes the partitions away: buffered records dropped, then (when the generation is still
    /// valid) auto-commit, the `revoked` event and `onRevoke`; otherwise the `lost` event.
    func revoke(lost: Bool) async {
        let (owned, consumed) = self.state.withLockedValue { state in
            let consumed = state.fetch.consumed
            return (state.fetch.revokeAll(), consumed)
        }
        guard !owned.isEmpty else { return }
        if lost {
            self.emit(.lost(owned))
            return
        }
        if self.configuration.enableAutoCommit, !consumed.isEmpty {
            do {
                try await self.commit(consumed)
            } catch {
                self.logger.warning("auto-commit on revocation failed", metadata: ["error": "\(error)"])
            }
        }
        self.emit(.revoked(owned))
        await self.onRevoke?(owned)
    }

    /// LeaveGroup, so the others rebalance at once (KIP-345: static members stay; their
    /// partitions wait for them until the session times out).
    private func leaveGroup() async {
        let (memberID, instanceID) = self.state.withLockedValue { state in
            defer { state.membership.left() }
            return (state.membership.memberID, state.membership.groupInstanceID)
        }
        guard !memberID.isEmpty, instanceID == nil else { return }
        do {
            let response = try await self.coordinatorConnection().send(
                LeaveGroupRequest(
                    groupID: self.groupID,
                    members: [.init(memberID: memberID, reason: "consumer shutdown")]
                )
            )
            if !response.errorCode.isSuccess {
                self.logger.debug("LeaveGroup answered \(response.errorCode)")
            }
            self.logger.info("left group", metadata: ["kafka.group": "\(self.groupID)", "kafka.member": "\(memberID)"])
        } catch {
            self.logger.warning("LeaveGroup failed", metadata: ["error": "\(error)"])
        }
    }

    static func fatal(_ code: KafkaErrorCode, _ what: String) -> KafkaError {
        var error = KafkaError.broker(code, what)
        error.isRetriable = false
        return error
    }
}
