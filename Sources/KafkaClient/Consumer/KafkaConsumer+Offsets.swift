import KafkaProtocol
import Logging
import NIOConcurrencyHelpers

/// Committed offsets (OffsetFetch, OffsetCommit) and offset resets (ListOffsets).
extension KafkaConsumer {
    /// Commits offsets to the group and waits for the coordinator's answer. Each offset is the
    /// NEXT offset to read (the last processed record's offset + 1), as Kafka counts.
    ///
    /// Throws a ``KafkaError``: ``KafkaError/Code/invalidConfiguration`` without a group id;
    /// ``KafkaError/Code/broker`` with REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or
    /// UNKNOWN_MEMBER_ID when the partitions are no longer this member's (the records will be
    /// read again by their new owner).
    public func commit(_ offsets: [TopicPartition: Int64]) async throws {
        guard let groupID = self.configuration.groupID else {
            throw KafkaError(code: .invalidConfiguration, message: "commit needs a group id")
        }
        guard !offsets.isEmpty else { return }
        let (generationID, memberID, instanceID) = self.state.withLockedValue { state -> (Int32, String, String?) in
            guard self.configuration.usesGroup else { return (-1, "", nil) }
            return (state.membership.generationID, state.membership.memberID, state.membership.groupInstanceID)
        }
        let grouped = Dictionary(grouping: offsets, by: \.key.topic)
        let request = OffsetCommitRequest(
            groupID: groupID,
            generationIDOrMemberEpoch: generationID,
            memberID: memberID,
            groupInstanceID: instanceID,
            topics: grouped.keys.sorted().map { topic in
                OffsetCommitRequest.Topic(
                    name: topic,
                    partitions: grouped[topic]!.sorted { $0.key.partition < $1.key.partition }.map {
                        OffsetCommitRequest.Partition(partitionIndex: $0.key.partition, committedOffset: $0.value)
                    }
                )
            }
        )
        do {
            try await self.sendCommit(request, groupID: groupID, generationID: generationID)
        } catch {
            self.metrics.commitFailed()
            throw error
        }
        self.metrics.committed()
        self.state.withLockedValue { $0.fetch.clearConsumed(offsets) }
    }

    private func sendCommit(_ request: OffsetCommitRequest, groupID: String, generationID: Int32) async throws {
        try await self.cluster.withRetries("committing offsets of group \(groupID)") {
            let response = try await self.coordinatorConnection().send(request)
            for topic in response.topics {
                for partition in topic.partitions where !partition.errorCode.isSuccess {
                    try self.commitFailed(
                        partition.errorCode,
                        TopicPartition(topic: topic.name, partition: partition.partitionIndex),
                        generationID: generationID
                    )
                }
            }
        }
    }

    /// Commits the offset after `record` (`record.offset + 1`); see ``commit(_:)-([TopicPartition:Int64])``.
    public func commit(_ record: KafkaConsumerRecord) async throws {
        try await self.commit([record.topicPartition: record.offset + 1])
    }

    /// Commits in the background; a failure is only logged. Later commits of the same
    /// partition carry higher offsets, so a lost one does no harm.
    public func commitAsync(_ offsets: [TopicPartition: Int64]) {
        Task {
            do {
                try await self.commit(offsets)
            } catch {
                self.logger.warning("asynchronous commit failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func commitFailed(
        _ errorCode: KafkaErrorCode,
        _ topicPartition: TopicPartition,
        generationID: Int32
    ) throws {
        guard self.configuration.usesGroup else {
            throw KafkaError.broker(errorCode, "committing \(topicPartition)")
        }
        let step = self.state.withLockedValue {
            $0.membership.commitFailed(errorCode: errorCode, generationID: generationID)
        }
        switch step {
        case .findCoordinator:
            self.forgetCoordinator()
            var error = KafkaError.broker(errorCode, "committing \(topicPartition)")
            error.isRetriable = true
            throw error
        case .rejoin, .lostAndRejoin:
            // The heartbeat loop sees the membership is no longer stable and rejoins.
            self.groupSignal.signal()
            throw Self.fatal(errorCode, "committing \(topicPartition)")
        case .proceed, .assigned, .sync, .fail:
            throw KafkaError.broker(errorCode, "committing \(topicPartition)")
        }
    }

    /// Commits what was handed to the application (enable.auto.commit); failures are logged.
    func autoCommit() async {
        let consumed = self.state.withLockedValue { $0.fetch.consumed }
        guard !consumed.isEmpty else { return }
        do {
            try await self.commit(consumed)
        } catch {
            self.logger.warning("auto-commit failed", metadata: ["error": "\(error)"])
        }
    }

    /// The committed offsets of `partitions` (OffsetFetch); the others start per
    /// auto.offset.reset.
    func initialPositions(_ partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let grouped = Dictionary(grouping: partitions, by: \.topic)
        let request = OffsetFetchRequest(
            groups: [
                .init(
                    groupID: self.groupID,
                    topics: grouped.keys.sorted().map {
                        .init(name: $0, partitionIndexes: grouped[$0]!.map(\.partition))
                    }
                )
            ],
            // KIP-447: wait for pending transactional commits instead of reading a stale offset.
            requireStable: self.configuration.isolationLevel == .readCommitted
        )
        let committed = try await self.cluster.withRetries("fetching committed offsets of group \(self.groupID)") {
            let response = try await self.coordinatorConnection().send(request)
            var result: [TopicPartition: Int64] = [:]
            for group in response.groups {
                if !group.errorCode.isSuccess {
                    if [.notCoordinator, .coordinatorNotAvailable].contains(group.errorCode) {
                        self.forgetCoordinator()
                    }
                    throw KafkaError.broker(group.errorCode, "fetching committed offsets")
                }
                for topic in group.topics {
                    for partition in topic.partitions {
                        guard partition.errorCode.isSuccess else {
                            throw KafkaError.broker(
                                partition.errorCode,
                                "fetching committed offset of \(topic.name)-\(partition.partitionIndex)"
                            )
                        }
                        if partition.committedOffset >= 0 {
                            result[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] =
                                partition.committedOffset
                        }
                    }
                }
            }
            return result
        }
        var positions = committed.filter { partitions.contains($0.key) }
        for topicPartition in partitions where positions[topicPartition] == nil {
            positions[topicPartition] = try await self.resetOffset(topicPartition)
        }
        return positions
    }

    /// The offset auto.offset.reset points to (ListOffsets to the leader).
    func resetOffset(_ topicPartition: TopicPartition) async throws -> Int64 {
        try await self.listOffset(
            topicPartition,
            at: self.configuration.autoOffsetReset == .earliest ? .earliest : .latest
        )
    }

    func listOffset(
        _ topicPartition: TopicPartition,
        at position: KafkaClusterClient.OffsetPosition
    ) async throws -> Int64 {
        let timestamp =
            position == .earliest ? ListOffsetsRequest.earliestTimestamp : ListOffsetsRequest.latestTimestamp
        let request = ListOffsetsRequest(
            isolationLevel: self.configuration.isolationLevel.rawValue,
            topics: [
                .init(
                    name: topicPartition.topic,
                    partitions: [.init(partitionIndex: topicPartition.partition, timestamp: timestamp)]
                )
            ]
        )
        return try await self.cluster.withRetries("listing offsets of \(topicPartition)") {
            let connection = try await self.leaderConnection(topicPartition)
            let response = try await connection.send(request)
            guard
                let answer = response.topics.first?.partitions.first(where: {
                    $0.partitionIndex == topicPartition.partition
                })
            else {
                throw KafkaError(code: .protocolViolation, message: "ListOffsets answer without \(topicPartition)")
            }
            guard answer.errorCode.isSuccess else {
                self.cluster.invalidateLeader(topic: topicPartition.topic, partition: topicPartition.partition)
                throw KafkaError.broker(answer.errorCode, "listing offsets of \(topicPartition)")
            }
            return answer.offset
        }
    }

    func leaderConnection(_ topicPartition: TopicPartition) async throws -> KafkaBrokerConnection {
        try await self.cluster.connection(to: try await self.leaderID(topicPartition))
    }

    func leaderID(_ topicPartition: TopicPartition) async throws -> Int32 {
        let metadata = try await self.cluster.topic(topicPartition.topic)
        guard let entry = metadata.partitions.first(where: { $0.id == topicPartition.partition }) else {
            throw KafkaError(
                code: .unknownTopicOrPartition,
                message: "topic \(topicPartition.topic) has no partition \(topicPartition.partition)"
            )
        }
        return entry.leaderID
    }
}
