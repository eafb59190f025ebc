import KafkaProtocol
import NIOCore

/// Sample messages with every field set to a non-default value, except fields that later
/// versions removed (those keep their defaults so that decode(encode(x)) == x at the newest version).
enum MessageSamples {
    static let topicID = KafkaUUID(mostSignificantBits: 0xDEAD_BEEF_0000_0001, leastSignificantBits: 42)

    static let apiVersionsRequest = ApiVersionsRequest(clientSoftwareName: "tributary", clientSoftwareVersion: "1.2.3")
    static let apiVersionsResponse = ApiVersionsResponse(
        apiKeys: [
            .init(apiKey: .produce, minVersion: 0, maxVersion: 11),
            .init(apiKey: .fetch, minVersion: 4, maxVersion: 17),
        ],
        throttleTimeMs: 5,
        supportedFeatures: [.init(name: "metadata.version", minVersion: 1, maxVersion: 20)],
        finalizedFeaturesEpoch: 9,
        finalizedFeatures: [.init(name: "metadata.version", minVersion: 1, maxVersion: 20)],
        zkMigrationReady: true
    )

    static let metadataRequest = MetadataRequest(
        topics: [.init(name: "a", topicID: topicID), .init(name: "b")],
        allowAutoTopicCreation: true,
        includeTopicAuthorizedOperations: true
    )
    static let metadataResponse = MetadataResponse(
        throttleTimeMs: 1,
        brokers: [.init(nodeID: 1, host: "h", port: 9092, rack: "r"), .init(nodeID: 2, host: "g", port: 1)],
        clusterID: "cluster",
        controllerID: 1,
        topics: [
            .init(
                errorCode: .leaderNotAvailable,
                name: "a",
                topicID: topicID,
                isInternal: true,
                partitions: [
                    .init(
                        partitionIndex: 0,
                        leaderID: 1,
                        leaderEpoch: 4,
                        replicaNodes: [1, 2],
                        isrNodes: [1],
                        offlineReplicas: [2]
                    )
                ],
                topicAuthorizedOperations: 0x0F
            )
        ]
    )

    static let produceRequest = ProduceRequest(
        transactionalID: "tx",
        acks: -1,
        timeoutMs: 30_000,
        topicData: [.init(name: "t", partitionData: [.init(index: 3, records: ByteBuffer(string: "batch bytes"))])]
    )
    static let produceResponse = ProduceResponse(
        responses: [
            .init(
                name: "t",
                partitionResponses: [
                    .init(
                        index: 3,
                        errorCode: .notLeaderOrFollower,
                        baseOffset: 99,
                        logAppendTimeMs: 7,
                        logStartOffset: 1,
                        recordErrors: [.init(batchIndex: 2, batchIndexErrorMessage: "bad")],
                        errorMessage: "moved",
                        currentLeader: .init(leaderID: 2, leaderEpoch: 5)
                    )
                ]
            )
        ],
        throttleTimeMs: 3,
        nodeEndpoints: [.init(nodeID: 2, host: "g", port: 9093, rack: nil)]
    )

    static let initProducerIdRequest = InitProducerIdRequest(
        transactionalID: nil,
        transactionTimeoutMs: 60_000,
        producerID: 5,
        producerEpoch: 1
    )
    static let initProducerIdResponse = InitProducerIdResponse(throttleTimeMs: 1, producerID: 1000, producerEpoch: 2)

    static let createTopicsRequest = CreateTopicsRequest(
        topics: [
            .init(
                name: "new",
                numPartitions: 3,
                replicationFactor: 1,
                assignments: [.init(partitionIndex: 0, brokerIDs: [1])],
                configs: [.init(name: "cleanup.policy", value: "compact"), .init(name: "x", value: nil)]
            )
        ],
        timeoutMs: 5000,
        validateOnly: true
    )
    static let createTopicsResponse = CreateTopicsResponse(
        throttleTimeMs: 2,
        topics: [
            .init(
                name: "new",
                topicID: topicID,
                errorCode: .topicAlreadyExists,
                errorMessage: "exists",
                topicConfigErrorCode: .topicAuthorizationFailed,
                numPartitions: 3,
                replicationFactor: 1,
                configs: [.init(name: "a", value: nil, readOnly: true, configSource: 5, isSensitive: true)]
            )
        ]
    )

    static let deleteTopicsRequest = DeleteTopicsRequest(topics: [.init(name: "old", topicID: topicID)], timeoutMs: 100)
    static let deleteTopicsResponse = DeleteTopicsResponse(
        throttleTimeMs: 1,
        responses: [.init(name: "old", topicID: topicID, errorCode: .unknownTopicOrPartition, errorMessage: "gone")]
    )

    static let listOffsetsRequest = ListOffsetsRequest(
        isolationLevel: 1,
        topics: [
            .init(
                name: "t",
                partitions: [
                    .init(partitionIndex: 0, currentLeaderEpoch: 3, timestamp: ListOffsetsRequest.latestTimestamp)
                ]
            )
        ]
    )
    static let listOffsetsResponse = ListOffsetsResponse(
        throttleTimeMs: 1,
        topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: 5, offset: 77, leaderEpoch: 3)])]
    )

    static let fetchRequest = FetchRequest(
        clusterID: "cluster",
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: 50 << 20,
        isolationLevel: 1,
        sessionID: 12,
        sessionEpoch: 3,
        topics: [
            .init(
                topic: "t",
                topicID: topicID,
                partitions: [
                    .init(
                        partition: 1,
                        currentLeaderEpoch: 2,
                        fetchOffset: 100,
                        lastFetchedEpoch: 1,
                        partitionMaxBytes: 1 << 20
                    )
                ]
            )
        ],
        forgottenTopicsData: [.init(topic: "old", topicID: topicID, partitions: [4, 5])],
        rackID: "rack-1"
    )
    static let fetchResponse = FetchResponse(
        throttleTimeMs: 1,
        errorCode: .noError,
        sessionID: 12,
        responses: [
            .init(
                topic: "t",
                topicID: topicID,
                partitions: [
                    .init(
                        partitionIndex: 1,
                        errorCode: .offsetOutOfRange,
                        highWatermark: 200,
                        lastStableOffset: 150,
                        logStartOffset: 10,
                        divergingEpoch: .init(epoch: 1, endOffset: 90),
                        currentLeader: .init(leaderID: 3, leaderEpoch: 4),
                        snapshotID: .init(epoch: 2, endOffset: 80),
                        abortedTransactions: [.init(producerID: 7, firstOffset: 120)],
                        preferredReadReplica: 2,
                        records: ByteBuffer(string: "records")
                    )
                ]
            )
        ],
        nodeEndpoints: [.init(nodeID: 3, host: "b3", port: 9092, rack: "r3")]
    )

    static let findCoordinatorRequest = FindCoordinatorRequest(keyType: .transaction, keys: ["group-1"])
    static let findCoordinatorResponse = FindCoordinatorResponse(
        throttleTimeMs: 1,
        coordinators: [
            .init(key: "group-1", nodeID: 1, host: "h", port: 9092, errorCode: .noError, errorMessage: "fine")
        ]
    )

    static let joinGroupRequest = JoinGroupRequest(
        groupID: "g",
        sessionTimeoutMs: 45_000,
        rebalanceTimeoutMs: 300_000,
        memberID: "m",
        groupInstanceID: "instance",
        protocolType: "consumer",
        protocols: [.init(name: "range", metadata: ByteBuffer(bytes: [0, 3, 0, 0, 0, 0]))],
        reason: "joining"
    )
    static let joinGroupResponse = JoinGroupResponse(
        throttleTimeMs: 1,
        generationID: 4,
        protocolType: "consumer",
        protocolName: "range",
        leader: "m",
        skipAssignment: true,
        memberID: "m",
        members: [.init(memberID: "m", groupInstanceID: "instance", metadata: ByteBuffer(bytes: [1, 2]))]
    )

    static let syncGroupRequest = SyncGroupRequest(
        groupID: "g",
        generationID: 4,
        memberID: "m",
        groupInstanceID: "instance",
        protocolType: "consumer",
        protocolName: "range",
        assignments: [.init(memberID: "m", assignment: ByteBuffer(bytes: [9]))]
    )
    static let syncGroupResponse = SyncGroupResponse(
        throttleTimeMs: 1,
        errorCode: .rebalanceInProgress,
        protocolType: "consumer",
        protocolName: "range",
        assignment: ByteBuffer(bytes: [9, 8])
    )

    static let heartbeatRequest = HeartbeatRequest(
        groupID: "g",
        generationID: 4,
        memberID: "m",
        groupInstanceID: "instance"
    )
    static let heartbeatResponse = HeartbeatResponse(throttleTimeMs: 1, errorCode: .rebalanceInProgress)

    static let leaveGroupRequest = LeaveGroupRequest(
        groupID: "g",
        members: [.init(memberID: "m", groupInstanceID: "instance", reason: "bye")]
    )
    static let leaveGroupResponse = LeaveGroupResponse(
        throttleTimeMs: 1,
        errorCode: .noError,
        members: [.init(memberID: "m", groupInstanceID: "instance", errorCode: .unknownMemberID)]
    )

    static let offsetCommitRequest = OffsetCommitRequest(
        groupID: "g",
        generationIDOrMemberEpoch: 4,
        memberID: "m",
        groupInstanceID: "instance",
        topics: [
            .init(
                name: "t",
                partitions: [
                    .init(partitionIndex: 0, committedOffset: 55, committedLeaderEpoch: 2, committedMetadata: "meta")
                ]
            )
        ]
    )
    static let offsetCommitResponse = OffsetCommitResponse(
        throttleTimeMs: 1,
        topics: [.init(name: "t", partitions: [.init(partitionIndex: 0, errorCode: .offsetMetadataTooLarge)])]
    )

    static let offsetFetchRequest = OffsetFetchRequest(
        groups: [
            .init(groupID: "g", memberID: "m", memberEpoch: 3, topics: [.init(name: "t", partitionIndexes: [0, 1])])
        ],
        requireStable: true
    )
    static let offsetFetchResponse = OffsetFetchResponse(
        throttleTimeMs: 1,
        groups: [
            .init(
                groupID: "g",
                topics: [
                    .init(
                        name: "t",
                        partitions: [
                            .init(partitionIndex: 0, committedOffset: 55, committedLeaderEpoch: 2, metadata: "meta")
                        ]
                    )
                ],
                errorCode: .noError
            )
        ]
    )

    static let saslHandshakeRequest = SaslHandshakeRequest(mechanism: "PLAIN")
    static let saslHandshakeResponse = SaslHandshakeResponse(mechanisms: ["PLAIN", "SCRAM-SHA-256"])

    static let saslAuthenticateRequest = SaslAuthenticateRequest(authBytes: ByteBuffer(string: "\0user\0secret"))
    static let saslAuthenticateResponse = SaslAuthenticateResponse(
        errorCode: .saslAuthenticationFailed,
        errorMessage: "no",
        authBytes: ByteBuffer(),
        sessionLifetimeMs: 3_600_000
    )

    /// Every sample response with a closure that round-trips it at one version.
    static let responses: [(APIKey, any KafkaMessage)] = [
        (.apiVersions, apiVersionsResponse), (.metadata, metadataResponse), (.produce, produceResponse),
        (.initProducerID, initProducerIdResponse), (.createTopics, createTopicsResponse),
        (.deleteTopics, deleteTopicsResponse), (.listOffsets, listOffsetsResponse), (.fetch, fetchResponse),
        (.findCoordinator, findCoordinatorResponse), (.joinGroup, joinGroupResponse), (.syncGroup, syncGroupResponse),
        (.heartbeat, heartbeatResponse), (.leaveGroup, leaveGroupResponse), (.offsetCommit, offsetCommitResponse),
        (.offsetFetch, offsetFetchResponse), (.saslHandshake, saslHandshakeResponse),
        (.saslAuthenticate, saslAuthenticateResponse),
    ]
}
