import KafkaProtocol

extension KafkaClusterClient {
    /// Which end of a partition ``listOffset(topic:partition:at:)`` asks for.
    public enum OffsetPosition: Sendable {
        /// The first offset still in the log.
        case earliest
        /// The offset the next record will get. (tansu 0.6 may report less than the real end.)
        case latest
    }

    /// The earliest or latest offset of a partition (ListOffsets, sent to its leader).
    public func listOffset(topic: String, partition: Int32, at position: OffsetPosition) async throws -> Int64 {
        let timestamp =
            position == .earliest ? ListOffsetsRequest.earliestTimestamp : ListOffsetsRequest.latestTimestamp
        let request = ListOffsetsRequest(
            topics: [.init(name: topic, partitions: [.init(partitionIndex: partition, timestamp: timestamp)])]
        )
        return try await self.cluster.withRetries("listing offsets of \(topic)-\(partition)") {
            let connection = try await self.leaderConnection(topic: topic, partition: partition)
            let response = try await connection.send(request)
            guard let answer = response.topics.first?.partitions.first(where: { $0.partitionIndex == partition })
            else {
                throw KafkaError(code: .protocolViolation, message: "ListOffsets answer without \(topic)-\(partition)")
            }
            try self.check(answer.errorCode, topic: topic, partition: partition, "listing offsets")
            return answer.offset
        }
    }

    /// Reads records of one partition from `offset` (one Fetch request to the leader, retried on
    /// retriable errors). Waits up to `maxWait` for data; an empty result means the end of the
    /// partition was reached.
    public func fetch(
        topic: String,
        partition: Int32,
        offset: Int64,
        maxBytes: Int32 = 1_048_576,
        maxWait: Duration = .milliseconds(500)
    ) async throws -> KafkaFetchResult {
        let topicPartition = TopicPartition(topic: topic, partition: partition)
        return try await self.cluster.withRetries("fetching \(topicPartition)") {
            let metadata = try await self.cluster.topic(topic)
            let connection = try await self.leaderConnection(topic: topic, partition: partition)
            let request = FetchRequest(
                maxWaitMs: maxWait.milliseconds,
                minBytes: 1,
                maxBytes: maxBytes,
                topics: [
                    .init(
                        topic: topic,
                        topicID: metadata.topicID,
                        partitions: [.init(partition: partition, fetchOffset: offset, partitionMaxBytes: maxBytes)]
                    )
                ]
            )
            let response = try await connection.send(
                request,
                timeout: self.cluster.configuration.requestTimeout + maxWait
            )
            guard response.errorCode.isSuccess else {
                throw KafkaError.broker(response.errorCode, "fetching \(topicPartition)")
            }
            guard let answer = response.responses.first?.partitions.first(where: { $0.partitionIndex == partition })
            else {
                throw KafkaError(code: .protocolViolation, message: "Fetch answer without \(topicPartition)")
            }
            try self.check(answer.errorCode, topic: topic, partition: partition, "fetching")
            do {
                return try KafkaFetchResult.decode(
                    records: answer.records,
                    topicPartition: topicPartition,
                    from: offset,
                    highWatermark: answer.highWatermark
                )
            } catch {
                throw KafkaError.wrapping(error, "records of \(topicPartition) at offset \(offset)")
            }
        }
    }

    func leaderConnection(topic: String, partition: Int32) async throws -> KafkaBrokerConnection {
        let metadata = try await self.cluster.topic(topic)
        guard let entry = metadata.partitions.first(where: { $0.id == partition }) else {
            throw KafkaError(
                code: .unknownTopicOrPartition,
                message: "topic \(topic) has no partition \(partition) (it has \(metadata.partitions.count))"
            )
        }
        return try await self.cluster.connection(to: entry.leaderID)
    }

    /// Throws for a partition error code; leader errors drop the cached leader so the retry
    /// asks for fresh metadata.
    func check(_ errorCode: KafkaErrorCode, topic: String, partition: Int32, _ what: String) throws {
        guard !errorCode.isSuccess else { return }
        if [.notLeaderOrFollower, .leaderNotAvailable, .unknownTopicOrPartition, .fencedLeaderEpoch].contains(errorCode)
        {
            self.cluster.invalidateLeader(topic: topic, partition: partition)
        }
        throw KafkaError.broker(errorCode, "\(what) \(topic)-\(partition)")
    }
}
