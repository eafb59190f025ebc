import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Fetching: one Fetch per leader for all its fetchable partitions, answers into the buffer.
extension KafkaConsumer {
    /// Fetches while there are partitions to fetch and room in the buffer; sleeps otherwise.
    func runFetchLoop() async throws {
        var failures = 0
        while !self.isShuttingDown && !Task.isCancelled {
            let (epoch, work) = self.state.withLockedValue { ($0.fetch.epoch, $0.fetch.startFetch()) }
            guard !work.isEmpty else {
                await self.fetchSignal.wait(timeout: .seconds(1))
                continue
            }
            var byLeader: [Int32: [TopicPartition: Int64]] = [:]
            var unknown: [TopicPartition: Int64] = [:]
            let metadata = await self.fetchMetadata(topics: Set(work.keys.map(\.topic)))
            for (topicPartition, offset) in work {
                let leader = metadata[topicPartition.topic]?.partitions.first { $0.id == topicPartition.partition }?
                    .leaderID
                if let leader, leader >= 0 {
                    byLeader[leader, default: [:]][topicPartition] = offset
                } else {
                    unknown[topicPartition] = offset
                }
            }
            self.abandon(unknown, epoch: epoch)
            let succeeded = await withTaskGroup(of: Bool.self) { group in
                for (leader, partitions) in byLeader {
                    group.addTask { await self.fetch(from: leader, partitions, epoch: epoch) }
                }
                return await group.reduce(true) { $0 && $1 }
            }
            if succeeded && unknown.isEmpty {
                failures = 0
            } else {
                failures += 1
                await self.fetchSignal.wait(timeout: self.configuration.client.backoff(attempt: failures))
            }
        }
    }

    /// The topics' metadata: the cache when fresh and usable, else one refresh (no retries:
    /// partitions without a leader wait for the next round, the others are fetched meanwhile).
    private func fetchMetadata(topics: Set<String>) async -> [String: ClusterMetadata.Topic] {
        var result: [String: ClusterMetadata.Topic] = [:]
        var missing: [String] = []
        let now = ContinuousClock.now
        for topic in topics {
            if let cached = self.cluster.cachedTopic(topic, now: now) {
                result[topic] = cached
            } else {
                missing.append(topic)
            }
        }
        guard !missing.isEmpty else { return result }
        do {
            let metadata = try await self.cluster.refreshMetadata(topics: missing.sorted())
            for topic in missing { result[topic] = metadata.topics[topic] }
        } catch {
            self.logger.debug("metadata refresh failed", metadata: ["error": "\(error)"])
        }
        return result
    }

    private func abandon(_ partitions: [TopicPartition: Int64], epoch: UInt64) {
        guard !partitions.isEmpty else { return }
        self.state.withLockedValue { state in
            for (topicPartition, offset) in partitions {
                state.fetch.finishFetch(topicPartition, from: offset, epoch: epoch, result: nil)
            }
        }
    }

    /// One Fetch to `leader`; returns false when it (or a partition in it) failed.
    private func fetch(from leader: Int32, _ partitions: [TopicPartition: Int64], epoch: UInt64) async -> Bool {
        var pending = partitions
        defer { self.abandon(pending, epoch: epoch) }
        do {
            let connection = try await self.cluster.connection(to: leader)
            var topicIDs: [KafkaUUID: String] = [:]
            var topics: [FetchRequest.Topic] = []
            let metadata = await self.fetchMetadata(topics: Set(partitions.keys.map(\.topic)))
            for (topic, entries) in Dictionary(grouping: partitions, by: \.key.topic) {
                let topicID = metadata[topic]?.topicID ?? .zero
                topicIDs[topicID] = topic
                topics.append(
                    FetchRequest.Topic(
                        topic: topic,
                        topicID: topicID,
                        partitions: entries.map {
                            FetchRequest.Partition(
                                partition: $0.key.partition,
                                fetchOffset: $0.value,
                                partitionMaxBytes: self.configuration.maxPartitionFetchBytes
                            )
                        }
                    )
                )
            }
            let request = FetchRequest(
                maxWaitMs: self.configuration.fetchMaxWait.milliseconds,
                minBytes: self.configuration.fetchMinBytes,
                maxBytes: self.configuration.fetchMaxBytes,
                isolationLevel: self.configuration.isolationLevel.rawValue,
                topics: topics
            )
            self.metrics.fetchSent()
            let response = try await connection.send(
                request,
                timeout: self.configuration.client.requestTimeout + self.configuration.fetchMaxWait
            )
            guard response.errorCode.isSuccess else {
                throw KafkaError.broker(response.errorCode, "fetching from broker \(leader)")
            }
            var allGood = true
            for topic in response.responses {
                let name = topic.topic.isEmpty ? topicIDs[topic.topicID] ?? "" : topic.topic
                for answer in topic.partitions {
                    let topicPartition = TopicPartition(topic: name, partition: answer.partitionIndex)
                    guard let offset = pending.removeValue(forKey: topicPartition) else { continue }
                    if !(await self.apply(answer, topicPartition, from: offset, epoch: epoch)) { allGood = false }
                }
            }
            return allGood
        } catch {
            self.logger.debug("fetch failed", metadata: ["kafka.node": "\(leader)", "error": "\(error)"])
            return false
        }
    }

    /// Applies one partition's answer; returns false on an error.
    private func apply(
        _ answer: FetchResponse.Partition,
        _ topicPartition: TopicPartition,
        from offset: Int64,
        epoch: UInt64
    ) async -> Bool {
        switch answer.errorCode {
        case .noError:
            do {
                let result: KafkaFetchResult
                if self.configuration.isolationLevel == .readCommitted {
                    result = try KafkaFetchResult.decode(
                        records: answer.records,
                        topicPartition: topicPartition,
                        from: offset,
                        highWatermark: answer.highWatermark,
                        abortedTransactions: answer.abortedTransactions ?? []
                    )
                } else {
                    result = try KafkaFetchResult.decode(
                        records: answer.records,
                        topicPartition: topicPartition,
                        from: offset,
                        highWatermark: answer.highWatermark
                    )
                }
                let (applied, buffered) = self.state.withLockedValue {
                    (
                        $0.fetch.finishFetch(topicPartition, from: offset, epoch: epoch, result: result),
                        $0.fetch.buffer.count
                    )
                }
                if applied && !result.records.isEmpty {
                    self.metrics.fetched(result.records.count, buffered: buffered)
                    self.deliverToWaiter()
                }
                return true
            } catch {
                self.logger.error(
                    "undecodable records",
                    metadata: [
                        "kafka.partition": "\(topicPartition)", "kafka.offset": "\(offset)", "error": "\(error)",
                    ]
                )
                self.abandon([topicPartition: offset], epoch: epoch)
                return false
            }
        case .offsetOutOfRange:
            self.abandon([topicPartition: offset], epoch: epoch)
            do {
                let reset = try await self.resetOffset(topicPartition)
                self.logger.warning(
                    "offset out of range, reset",
                    metadata: [
                        "kafka.partition": "\(topicPartition)", "kafka.offset": "\(offset)", "kafka.reset": "\(reset)",
                    ]
                )
                self.state.withLockedValue { state in
                    guard state.fetch.epoch == epoch else { return }
                    state.fetch.seek(topicPartition, to: reset)
                }
                return true
            } catch {
                return false
            }
        default:
            if [
                .notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition, .fencedLeaderEpoch,
                .unknownLeaderEpoch,
            ]
            .contains(answer.errorCode) {
                self.cluster.invalidateLeader(topic: topicPartition.topic, partition: topicPartition.partition)
            }
            self.logger.debug(
                "fetch error",
                metadata: ["kafka.partition": "\(topicPartition)", "error": "\(answer.errorCode)"]
            )
            self.abandon([topicPartition: offset], epoch: epoch)
            return false
        }
    }

    // MARK: Manual assignment

    /// Manual assignment: resolve the start offsets, announce, then wait for shutdown
    /// (auto-committing if asked).
    func runManualAssignment() async throws {
        var positions: [TopicPartition: Int64] = [:]
        for (topicPartition, start) in self.configuration.assignment {
            switch start {
            case .earliest: positions[topicPartition] = try await self.listOffset(topicPartition, at: .earliest)
            case .latest: positions[topicPartition] = try await self.listOffset(topicPartition, at: .latest)
            case .offset(let offset): positions[topicPartition] = offset
            }
        }
        self.state.withLockedValue { $0.fetch.assign(positions.mapValues { Optional($0) }) }
        self.emit(.assigned(self.assignment))
        self.fetchSignal.signal()
        let autoCommit = self.configuration.enableAutoCommit && self.configuration.groupID != nil
        while !self.isShuttingDown && !Task.isCancelled {
            await self.groupSignal.wait(timeout: autoCommit ? self.configuration.autoCommitInterval : nil)
            if autoCommit { await self.autoCommit() }
        }
        if Task.isCancelled {
            _ = self.state.withLockedValue { $0.fetch.revokeAll() }
        } else {
            await self.revoke(lost: false)
        }
    }
}
