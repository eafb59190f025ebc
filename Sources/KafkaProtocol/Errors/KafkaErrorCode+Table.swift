// The error codes of the Kafka protocol guide's "Error Codes" table (kafka.apache.org/protocol),
// with its "Retriable" column; names follow org.apache.kafka.common.protocol.Errors.
// Generated once from that table; keep sorted by code.

extension KafkaErrorCode {
    /// The server experienced an unexpected error when processing the request.
    public static let unknownServerError = KafkaErrorCode(rawValue: -1)
    /// No error.
    public static let noError = KafkaErrorCode(rawValue: 0)
    /// The requested offset is not within the range of offsets maintained by the server.
    public static let offsetOutOfRange = KafkaErrorCode(rawValue: 1)
    /// This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted
    /// topic, or is otherwise corrupt.
    public static let corruptMessage = KafkaErrorCode(rawValue: 2)
    /// This server does not host this topic-partition.
    public static let unknownTopicOrPartition = KafkaErrorCode(rawValue: 3)
    /// The requested fetch size is invalid.
    public static let invalidFetchSize = KafkaErrorCode(rawValue: 4)
    /// There is no leader for this topic-partition as we are in the middle of a leadership election.
    public static let leaderNotAvailable = KafkaErrorCode(rawValue: 5)
    /// This broker is not the leader (or not a replica) of the topic-partition.
    public static let notLeaderOrFollower = KafkaErrorCode(rawValue: 6)
    /// The request timed out.
    public static let requestTimedOut = KafkaErrorCode(rawValue: 7)
    /// The broker is not available.
    public static let brokerNotAvailable = KafkaErrorCode(rawValue: 8)
    /// The replica is not available for the requested topic-partition.
    public static let replicaNotAvailable = KafkaErrorCode(rawValue: 9)
    /// The request included a message larger than the max message size the server will accept.
    public static let messageTooLarge = KafkaErrorCode(rawValue: 10)
    /// The controller moved to another broker.
    public static let staleControllerEpoch = KafkaErrorCode(rawValue: 11)
    /// The metadata field of the offset request was too large.
    public static let offsetMetadataTooLarge = KafkaErrorCode(rawValue: 12)
    /// The server disconnected before a response was received.
    public static let networkException = KafkaErrorCode(rawValue: 13)
    /// The coordinator is loading and hence can't process requests.
    public static let coordinatorLoadInProgress = KafkaErrorCode(rawValue: 14)
    /// The coordinator is not available.
    public static let coordinatorNotAvailable = KafkaErrorCode(rawValue: 15)
    /// This is not the correct coordinator.
    public static let notCoordinator = KafkaErrorCode(rawValue: 16)
    /// The request attempted to perform an operation on an invalid topic.
    public static let invalidTopicException = KafkaErrorCode(rawValue: 17)
    /// The request included message batch larger than the configured segment size on the server.
    public static let recordListTooLarge = KafkaErrorCode(rawValue: 18)
    /// Messages are rejected since there are fewer in-sync replicas than required.
    public static let notEnoughReplicas = KafkaErrorCode(rawValue: 19)
    /// Messages are written to the log, but to fewer in-sync replicas than required.
    public static let notEnoughReplicasAfterAppend = KafkaErrorCode(rawValue: 20)
    /// Produce request specified an invalid value for required acks.
    public static let invalidRequiredAcks = KafkaErrorCode(rawValue: 21)
    /// Specified group generation id is not valid.
    public static let illegalGeneration = KafkaErrorCode(rawValue: 22)
    /// The group member's supported protocols are incompatible with those of existing members.
    public static let inconsistentGroupProtocol = KafkaErrorCode(rawValue: 23)
    /// The configured groupId is invalid.
    public static let invalidGroupID = KafkaErrorCode(rawValue: 24)
    /// The coordinator is not aware of this member.
    public static let unknownMemberID = KafkaErrorCode(rawValue: 25)
    /// The session timeout is not within the range allowed by the broker.
    public static let invalidSessionTimeout = KafkaErrorCode(rawValue: 26)
    /// The group is rebalancing, so a rejoin is needed.
    public static let rebalanceInProgress = KafkaErrorCode(rawValue: 27)
    /// The committing offset data size is not valid.
    public static let invalidCommitOffsetSize = KafkaErrorCode(rawValue: 28)
    /// Topic authorization failed.
    public static let topicAuthorizationFailed = KafkaErrorCode(rawValue: 29)
    /// Group authorization failed.
    public static let groupAuthorizationFailed = KafkaErrorCode(rawValue: 30)
    /// Cluster authorization failed.
    public static let clusterAuthorizationFailed = KafkaErrorCode(rawValue: 31)
    /// The timestamp of the message is out of acceptable range.
    public static let invalidTimestamp = KafkaErrorCode(rawValue: 32)
    /// The broker does not support the requested SASL mechanism.
    public static let unsupportedSASLMechanism = KafkaErrorCode(rawValue: 33)
    /// Request is not valid given the current SASL state.
    public static let illegalSASLState = KafkaErrorCode(rawValue: 34)
    /// The version of API is not supported.
    public static let unsupportedVersion = KafkaErrorCode(rawValue: 35)
    /// Topic with this name already exists.
    public static let topicAlreadyExists = KafkaErrorCode(rawValue: 36)
    /// Number of partitions is below 1.
    public static let invalidPartitions = KafkaErrorCode(rawValue: 37)
    /// Replication factor is below 1 or larger than the number of available brokers.
    public static let invalidReplicationFactor = KafkaErrorCode(rawValue: 38)
    /// Replica assignment is invalid.
    public static let invalidReplicaAssignment = KafkaErrorCode(rawValue: 39)
    /// Configuration is invalid.
    public static let invalidConfig = KafkaErrorCode(rawValue: 40)
    /// This is not the correct controller for this cluster.
    public static let notController = KafkaErrorCode(rawValue: 41)
    /// This most likely occurs because of a request being malformed by the client library or the message
    /// was sent to an incompatible broker.
    public static let invalidRequest = KafkaErrorCode(rawValue: 42)
    /// The message format version on the broker does not support the request.
    public static let unsupportedForMessageFormat = KafkaErrorCode(rawValue: 43)
    /// Request parameters do not satisfy the configured policy.
    public static let policyViolation = KafkaErrorCode(rawValue: 44)
    /// The broker received an out of order sequence number.
    public static let outOfOrderSequenceNumber = KafkaErrorCode(rawValue: 45)
    /// The broker received a duplicate sequence number.
    public static let duplicateSequenceNumber = KafkaErrorCode(rawValue: 46)
    /// Producer attempted to produce with an old epoch.
    public static let invalidProducerEpoch = KafkaErrorCode(rawValue: 47)
    /// The producer attempted a transactional operation in an invalid state.
    public static let invalidTxnState = KafkaErrorCode(rawValue: 48)
    /// The producer attempted to use a producer id which is not currently assigned to its transactional id.
    public static let invalidProducerIDMapping = KafkaErrorCode(rawValue: 49)
    /// The transaction timeout is larger than the maximum value allowed by the broker.
    public static let invalidTransactionTimeout = KafkaErrorCode(rawValue: 50)
    /// The producer attempted to update a transaction while another concurrent operation on the same
    /// transaction was ongoing.
    public static let concurrentTransactions = KafkaErrorCode(rawValue: 51)
    /// Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the current
    /// coordinator for a given producer.
    public static let transactionCoordinatorFenced = KafkaErrorCode(rawValue: 52)
    /// Transactional Id authorization failed.
    public static let transactionalIDAuthorizationFailed = KafkaErrorCode(rawValue: 53)
    /// Security features are disabled.
    public static let securityDisabled = KafkaErrorCode(rawValue: 54)
    /// The broker did not attempt to execute this operation.
    public static let operationNotAttempted = KafkaErrorCode(rawValue: 55)
    /// Disk error when trying to access log file on the disk.
    public static let kafkaStorageError = KafkaErrorCode(rawValue: 56)
    /// The user-specified log directory is not found in the broker config.
    public static let logDirNotFound = KafkaErrorCode(rawValue: 57)
    /// SASL Authentication failed.
    public static let saslAuthenticationFailed = KafkaErrorCode(rawValue: 58)
    /// The broker could not locate the producer metadata associated with the producer id.
    public static let unknownProducerID = KafkaErrorCode(rawValue: 59)
    /// A partition reassignment is in progress.
    public static let reassignmentInProgress = KafkaErrorCode(rawValue: 60)
    /// Delegation Token feature is not enabled.
    public static let delegationTokenAuthDisabled = KafkaErrorCode(rawValue: 61)
    /// Delegation Token is not found on server.
    public static let delegationTokenNotFound = KafkaErrorCode(rawValue: 62)
    /// Specified Principal is not valid Owner/Renewer.
    public static let delegationTokenOwnerMismatch = KafkaErrorCode(rawValue: 63)
    /// Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on delegation token
    /// authenticated channels.
    public static let delegationTokenRequestNotAllowed = KafkaErrorCode(rawValue: 64)
    /// Delegation Token authorization failed.
    public static let delegationTokenAuthorizationFailed = KafkaErrorCode(rawValue: 65)
    /// Delegation Token is expired.
    public static let delegationTokenExpired = KafkaErrorCode(rawValue: 66)
    /// Supplied principalType is not supported.
    public static let invalidPrincipalType = KafkaErrorCode(rawValue: 67)
    /// The group is not empty.
    public static let nonEmptyGroup = KafkaErrorCode(rawValue: 68)
    /// The group id does not exist.
    public static let groupIDNotFound = KafkaErrorCode(rawValue: 69)
    /// The fetch session ID was not found.
    public static let fetchSessionIDNotFound = KafkaErrorCode(rawValue: 70)
    /// The fetch session epoch is invalid.
    public static let invalidFetchSessionEpoch = KafkaErrorCode(rawValue: 71)
    /// There is no listener on the leader broker that matches the listener on which metadata request was
    /// processed.
    public static let listenerNotFound = KafkaErrorCode(rawValue: 72)
    /// Topic deletion is disabled.
    public static let topicDeletionDisabled = KafkaErrorCode(rawValue: 73)
    /// The leader epoch in the request is older than the epoch on the broker.
    public static let fencedLeaderEpoch = KafkaErrorCode(rawValue: 74)
    /// The leader epoch in the request is newer than the epoch on the broker.
    public static let unknownLeaderEpoch = KafkaErrorCode(rawValue: 75)
    /// The requesting client does not support the compression type of given partition.
    public static let unsupportedCompressionType = KafkaErrorCode(rawValue: 76)
    /// Broker epoch has changed.
    public static let staleBrokerEpoch = KafkaErrorCode(rawValue: 77)
    /// The leader high watermark has not caught up from a recent leader election so the offsets cannot be
    /// guaranteed to be monotonically increasing.
    public static let offsetNotAvailable = KafkaErrorCode(rawValue: 78)
    /// The group member needs to have a valid member id before actually entering a consumer group.
    public static let memberIDRequired = KafkaErrorCode(rawValue: 79)
    /// The preferred leader was not available.
    public static let preferredLeaderNotAvailable = KafkaErrorCode(rawValue: 80)
    /// The consumer group has reached its max size.
    public static let groupMaxSizeReached = KafkaErrorCode(rawValue: 81)
    /// The broker rejected this static consumer since another consumer with the same group.instance.id has
    /// registered with a different member.id.
    public static let fencedInstanceID = KafkaErrorCode(rawValue: 82)
    /// Eligible topic partition leaders are not available.
    public static let eligibleLeadersNotAvailable = KafkaErrorCode(rawValue: 83)
    /// Leader election not needed for topic partition.
    public static let electionNotNeeded = KafkaErrorCode(rawValue: 84)
    /// No partition reassignment is in progress.
    public static let noReassignmentInProgress = KafkaErrorCode(rawValue: 85)
    /// Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.
    public static let groupSubscribedToTopic = KafkaErrorCode(rawValue: 86)
    /// This record has failed the validation on broker and hence will be rejected.
    public static let invalidRecord = KafkaErrorCode(rawValue: 87)
    /// There are unstable offsets that need to be cleared.
    public static let unstableOffsetCommit = KafkaErrorCode(rawValue: 88)
    /// The throttling quota has been exceeded.
    public static let throttlingQuotaExceeded = KafkaErrorCode(rawValue: 89)
    /// There is a newer producer with the same transactionalId which fences the current one.
    public static let producerFenced = KafkaErrorCode(rawValue: 90)
    /// A request illegally referred to a resource that does not exist.
    public static let resourceNotFound = KafkaErrorCode(rawValue: 91)
    /// A request illegally referred to the same resource twice.
    public static let duplicateResource = KafkaErrorCode(rawValue: 92)
    /// Requested credential would not meet criteria for acceptability.
    public static let unacceptableCredential = KafkaErrorCode(rawValue: 93)
    /// Indicates that the either the sender or recipient of a voter-only request is not one of the expected
    /// voters.
    public static let inconsistentVoterSet = KafkaErrorCode(rawValue: 94)
    /// The given update version was invalid.
    public static let invalidUpdateVersion = KafkaErrorCode(rawValue: 95)
    /// Unable to update finalized features due to an unexpected server error.
    public static let featureUpdateFailed = KafkaErrorCode(rawValue: 96)
    /// Request principal deserialization failed during forwarding.
    public static let principalDeserializationFailure = KafkaErrorCode(rawValue: 97)
    /// Requested snapshot was not found.
    public static let snapshotNotFound = KafkaErrorCode(rawValue: 98)
    /// Requested position is not greater than or equal to zero, and less than the size of the snapshot.
    public static let positionOutOfRange = KafkaErrorCode(rawValue: 99)
    /// This server does not host this topic ID.
    public static let unknownTopicID = KafkaErrorCode(rawValue: 100)
    /// This broker ID is already in use.
    public static let duplicateBrokerRegistration = KafkaErrorCode(rawValue: 101)
    /// The given broker ID was not registered.
    public static let brokerIDNotRegistered = KafkaErrorCode(rawValue: 102)
    /// The log's topic ID did not match the topic ID in the request.
    public static let inconsistentTopicID = KafkaErrorCode(rawValue: 103)
    /// The clusterId in the request does not match that found on the server.
    public static let inconsistentClusterID = KafkaErrorCode(rawValue: 104)
    /// The transactionalId could not be found.
    public static let transactionalIDNotFound = KafkaErrorCode(rawValue: 105)
    /// The fetch session encountered inconsistent topic ID usage.
    public static let fetchSessionTopicIDError = KafkaErrorCode(rawValue: 106)
    /// The new ISR contains at least one ineligible replica.
    public static let ineligibleReplica = KafkaErrorCode(rawValue: 107)
    /// The AlterPartition request successfully updated the partition state but the leader has changed.
    public static let newLeaderElected = KafkaErrorCode(rawValue: 108)
    /// The requested offset is moved to tiered storage.
    public static let offsetMovedToTieredStorage = KafkaErrorCode(rawValue: 109)
    /// The member epoch is fenced by the group coordinator.
    public static let fencedMemberEpoch = KafkaErrorCode(rawValue: 110)
    /// The instance ID is still used by another member in the consumer group.
    public static let unreleasedInstanceID = KafkaErrorCode(rawValue: 111)
    /// The assignor or its version range is not supported by the consumer group.
    public static let unsupportedAssignor = KafkaErrorCode(rawValue: 112)
    /// The member epoch is stale.
    public static let staleMemberEpoch = KafkaErrorCode(rawValue: 113)
    /// The request was sent to an endpoint of the wrong type.
    public static let mismatchedEndpointType = KafkaErrorCode(rawValue: 114)
    /// This endpoint type is not supported yet.
    public static let unsupportedEndpointType = KafkaErrorCode(rawValue: 115)
    /// This controller ID is not known.
    public static let unknownControllerID = KafkaErrorCode(rawValue: 116)
    /// Client sent a push telemetry request with an invalid or outdated subscription ID.
    public static let unknownSubscriptionID = KafkaErrorCode(rawValue: 117)
    /// Client sent a push telemetry request larger than the maximum size the broker will accept.
    public static let telemetryTooLarge = KafkaErrorCode(rawValue: 118)
    /// The controller has considered the broker registration to be invalid.
    public static let invalidRegistration = KafkaErrorCode(rawValue: 119)
    /// The server encountered an error with the transaction; the client can abort it and continue.
    public static let transactionAbortable = KafkaErrorCode(rawValue: 120)
    /// The record state is invalid.
    public static let invalidRecordState = KafkaErrorCode(rawValue: 121)
    /// The share session was not found.
    public static let shareSessionNotFound = KafkaErrorCode(rawValue: 122)
    /// The share session epoch is invalid.
    public static let invalidShareSessionEpoch = KafkaErrorCode(rawValue: 123)
    /// The share coordinator rejected the request because the share-group state epoch did not match.
    public static let fencedStateEpoch = KafkaErrorCode(rawValue: 124)
}

extension KafkaErrorCode {
    /// One row of the protocol guide's error table.
    struct Entry: Sendable {
        let name: String
        let isRetriable: Bool
        let description: String
    }

    /// The row for `rawValue`, or nil for a code the table does not list.
    static func entry(for rawValue: Int16) -> Entry? {
        switch rawValue {
        case -1:
            return Entry(
                name: "UNKNOWN_SERVER_ERROR",
                isRetriable: false,
                description: "The server experienced an unexpected error when processing the request."
            )
        case 0:
            return Entry(name: "NONE", isRetriable: false, description: "No error.")
        case 1:
            return Entry(
                name: "OFFSET_OUT_OF_RANGE",
                isRetriable: false,
                description: "The requested offset is not within the range of offsets maintained by the server."
            )
        case 2:
            return Entry(
                name: "CORRUPT_MESSAGE",
                isRetriable: true,
                description: """
                    This message has failed its CRC checksum, exceeds the valid size, has a null key \
                    for a compacted topic, or is otherwise corrupt.
                    """
            )
        case 3:
            return Entry(
                name: "UNKNOWN_TOPIC_OR_PARTITION",
                isRetriable: true,
                description: "This server does not host this topic-partition."
            )
        case 4:
            return Entry(
                name: "INVALID_FETCH_SIZE",
                isRetriable: false,
                description: "The requested fetch size is invalid."
            )
        case 5:
            return Entry(
                name: "LEADER_NOT_AVAILABLE",
                isRetriable: true,
                description: """
                    There is no leader for this topic-partition as we are in the middle of a \
                    leadership election.
                    """
            )
        case 6:
            return Entry(
                name: "NOT_LEADER_OR_FOLLOWER",
                isRetriable: true,
                description: "This broker is not the leader (or not a replica) of the topic-partition."
            )
        case 7:
            return Entry(name: "REQUEST_TIMED_OUT", isRetriable: true, description: "The request timed out.")
        case 8:
            return Entry(name: "BROKER_NOT_AVAILABLE", isRetriable: false, description: "The broker is not available.")
        case 9:
            return Entry(
                name: "REPLICA_NOT_AVAILABLE",
                isRetriable: true,
                description: "The replica is not available for the requested topic-partition."
            )
        case 10:
            return Entry(
                name: "MESSAGE_TOO_LARGE",
                isRetriable: false,
                description: "The request included a message larger than the max message size the server will accept."
            )
        case 11:
            return Entry(
                name: "STALE_CONTROLLER_EPOCH",
                isRetriable: false,
                description: "The controller moved to another broker."
            )
        case 12:
            return Entry(
                name: "OFFSET_METADATA_TOO_LARGE",
                isRetriable: false,
                description: "The metadata field of the offset request was too large."
            )
        case 13:
            return Entry(
                name: "NETWORK_EXCEPTION",
                isRetriable: true,
                description: "The server disconnected before a response was received."
            )
        case 14:
            return Entry(
                name: "COORDINATOR_LOAD_IN_PROGRESS",
                isRetriable: true,
                description: "The coordinator is loading and hence can't process requests."
            )
        case 15:
            return Entry(
                name: "COORDINATOR_NOT_AVAILABLE",
                isRetriable: true,
                description: "The coordinator is not available."
            )
        case 16:
            return Entry(
                name: "NOT_COORDINATOR",
                isRetriable: true,
                description: "This is not the correct coordinator."
            )
        case 17:
            return Entry(
                name: "INVALID_TOPIC_EXCEPTION",
                isRetriable: false,
                description: "The request attempted to perform an operation on an invalid topic."
            )
        case 18:
            return Entry(
                name: "RECORD_LIST_TOO_LARGE",
                isRetriable: false,
                description: "The request included message batch larger than the configured segment size on the server."
            )
        case 19:
            return Entry(
                name: "NOT_ENOUGH_REPLICAS",
                isRetriable: true,
                description: "Messages are rejected since there are fewer in-sync replicas than required."
            )
        case 20:
            return Entry(
                name: "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
                isRetriable: true,
                description: "Messages are written to the log, but to fewer in-sync replicas than required."
            )
        case 21:
            return Entry(
                name: "INVALID_REQUIRED_ACKS",
                isRetriable: false,
                description: "Produce request specified an invalid value for required acks."
            )
        case 22:
            return Entry(
                name: "ILLEGAL_GENERATION",
                isRetriable: false,
                description: "Specified group generation id is not valid."
            )
        case 23:
            return Entry(
                name: "INCONSISTENT_GROUP_PROTOCOL",
                isRetriable: false,
                description: "The group member's supported protocols are incompatible with those of existing members."
            )
        case 24:
            return Entry(
                name: "INVALID_GROUP_ID",
                isRetriable: false,
                description: "The configured groupId is invalid."
            )
        case 25:
            return Entry(
                name: "UNKNOWN_MEMBER_ID",
                isRetriable: false,
                description: "The coordinator is not aware of this member."
            )
        case 26:
            return Entry(
                name: "INVALID_SESSION_TIMEOUT",
                isRetriable: false,
                description: "The session timeout is not within the range allowed by the broker."
            )
        case 27:
            return Entry(
                name: "REBALANCE_IN_PROGRESS",
                isRetriable: false,
                description: "The group is rebalancing, so a rejoin is needed."
            )
        case 28:
            return Entry(
                name: "INVALID_COMMIT_OFFSET_SIZE",
                isRetriable: false,
                description: "The committing offset data size is not valid."
            )
        case 29:
            return Entry(
                name: "TOPIC_AUTHORIZATION_FAILED",
                isRetriable: false,
                description: "Topic authorization failed."
            )
        case 30:
            return Entry(
                name: "GROUP_AUTHORIZATION_FAILED",
                isRetriable: false,
                description: "Group authorization failed."
            )
        case 31:
            return Entry(
                name: "CLUSTER_AUTHORIZATION_FAILED",
                isRetriable: false,
                description: "Cluster authorization failed."
            )
        case 32:
            return Entry(
                name: "INVALID_TIMESTAMP",
                isRetriable: false,
                description: "The timestamp of the message is out of acceptable range."
            )
        case 33:
            return Entry(
                name: "UNSUPPORTED_SASL_MECHANISM",
                isRetriable: false,
                description: "The broker does not support the requested SASL mechanism."
            )
        case 34:
            return Entry(
                name: "ILLEGAL_SASL_STATE",
                isRetriable: false,
                description: "Request is not valid given the current SASL state."
            )
        case 35:
            return Entry(
                name: "UNSUPPORTED_VERSION",
                isRetriable: false,
                description: "The version of API is not supported."
            )
        case 36:
            return Entry(
                name: "TOPIC_ALREADY_EXISTS",
                isRetriable: false,
                description: "Topic with this name already exists."
            )
        case 37:
            return Entry(
                name: "INVALID_PARTITIONS",
                isRetriable: false,
                description: "Number of partitions is below 1."
            )
        case 38:
            return Entry(
                name: "INVALID_REPLICATION_FACTOR",
                isRetriable: false,
                description: "Replication factor is below 1 or larger than the number of available brokers."
            )
        case 39:
            return Entry(
                name: "INVALID_REPLICA_ASSIGNMENT",
                isRetriable: false,
                description: "Replica assignment is invalid."
            )
        case 40:
            return Entry(name: "INVALID_CONFIG", isRetriable: false, description: "Configuration is invalid.")
        case 41:
            return Entry(
                name: "NOT_CONTROLLER",
                isRetriable: true,
                description: "This is not the correct controller for this cluster."
            )
        case 42:
            return Entry(
                name: "INVALID_REQUEST",
                isRetriable: false,
                description: """
                    This most likely occurs because of a request being malformed by the client \
                    library or the message was sent to an incompatible broker.
                    """
            )
        case 43:
            return Entry(
                name: "UNSUPPORTED_FOR_MESSAGE_FORMAT",
                isRetriable: false,
                description: "The message format version on the broker does not support the request."
            )
        case 44:
            return Entry(
                name: "POLICY_VIOLATION",
                isRetriable: false,
                description: "Request parameters do not satisfy the configured policy."
            )
        case 45:
            return Entry(
                name: "OUT_OF_ORDER_SEQUENCE_NUMBER",
                isRetriable: false,
                description: "The broker received an out of order sequence number."
            )
        case 46:
            return Entry(
                name: "DUPLICATE_SEQUENCE_NUMBER",
                isRetriable: false,
                description: "The broker received a duplicate sequence number."
            )
        case 47:
            return Entry(
                name: "INVALID_PRODUCER_EPOCH",
                isRetriable: false,
                description: "Producer attempted to produce with an old epoch."
            )
        case 48:
            return Entry(
                name: "INVALID_TXN_STATE",
                isRetriable: false,
                description: "The producer attempted a transactional operation in an invalid state."
            )
        case 49:
            return Entry(
                name: "INVALID_PRODUCER_ID_MAPPING",
                isRetriable: false,
                description: """
                    The producer attempted to use a producer id which is not currently assigned to \
                    its transactional id.
                    """
            )
        case 50:
            return Entry(
                name: "INVALID_TRANSACTION_TIMEOUT",
                isRetriable: false,
                description: "The transaction timeout is larger than the maximum value allowed by the broker."
            )
        case 51:
            return Entry(
                name: "CONCURRENT_TRANSACTIONS",
                isRetriable: true,
                description: """
                    The producer attempted to update a transaction while another concurrent \
                    operation on the same transaction was ongoing.
                    """
            )
        case 52:
            return Entry(
                name: "TRANSACTION_COORDINATOR_FENCED",
                isRetriable: false,
                description: """
                    Indicates that the transaction coordinator sending a WriteTxnMarker is no longer \
                    the current coordinator for a given producer.
                    """
            )
        case 53:
            return Entry(
                name: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
                isRetriable: false,
                description: "Transactional Id authorization failed."
            )
        case 54:
            return Entry(name: "SECURITY_DISABLED", isRetriable: false, description: "Security features are disabled.")
        case 55:
            return Entry(
                name: "OPERATION_NOT_ATTEMPTED",
                isRetriable: false,
                description: "The broker did not attempt to execute this operation."
            )
        case 56:
            return Entry(
                name: "KAFKA_STORAGE_ERROR",
                isRetriable: true,
                description: "Disk error when trying to access log file on the disk."
            )
        case 57:
            return Entry(
                name: "LOG_DIR_NOT_FOUND",
                isRetriable: false,
                description: "The user-specified log directory is not found in the broker config."
            )
        case 58:
            return Entry(
                name: "SASL_AUTHENTICATION_FAILED",
                isRetriable: false,
                description: "SASL Authentication failed."
            )
        case 59:
            return Entry(
                name: "UNKNOWN_PRODUCER_ID",
                isRetriable: false,
                description: "The broker could not locate the producer metadata associated with the producer id."
            )
        case 60:
            return Entry(
                name: "REASSIGNMENT_IN_PROGRESS",
                isRetriable: false,
                description: "A partition reassignment is in progress."
            )
        case 61:
            return Entry(
                name: "DELEGATION_TOKEN_AUTH_DISABLED",
                isRetriable: false,
                description: "Delegation Token feature is not enabled."
            )
        case 62:
            return Entry(
                name: "DELEGATION_TOKEN_NOT_FOUND",
                isRetriable: false,
                description: "Delegation Token is not found on server."
            )
        case 63:
            return Entry(
                name: "DELEGATION_TOKEN_OWNER_MISMATCH",
                isRetriable: false,
                description: "Specified Principal is not valid Owner/Renewer."
            )
        case 64:
            return Entry(
                name: "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED",
                isRetriable: false,
                description: """
                    Delegation Token requests are not allowed on PLAINTEXT/1-way SSL channels and on \
                    delegation token authenticated channels.
                    """
            )
        case 65:
            return Entry(
                name: "DELEGATION_TOKEN_AUTHORIZATION_FAILED",
                isRetriable: false,
                description: "Delegation Token authorization failed."
            )
        case 66:
            return Entry(
                name: "DELEGATION_TOKEN_EXPIRED",
                isRetriable: false,
                description: "Delegation Token is expired."
            )
        case 67:
            return Entry(
                name: "INVALID_PRINCIPAL_TYPE",
                isRetriable: false,
                description: "Supplied principalType is not supported."
            )
        case 68:
            return Entry(name: "NON_EMPTY_GROUP", isRetriable: false, description: "The group is not empty.")
        case 69:
            return Entry(name: "GROUP_ID_NOT_FOUND", isRetriable: false, description: "The group id does not exist.")
        case 70:
            return Entry(
                name: "FETCH_SESSION_ID_NOT_FOUND",
                isRetriable: true,
                description: "The fetch session ID was not found."
            )
        case 71:
            return Entry(
                name: "INVALID_FETCH_SESSION_EPOCH",
                isRetriable: true,
                description: "The fetch session epoch is invalid."
            )
        case 72:
            return Entry(
                name: "LISTENER_NOT_FOUND",
                isRetriable: true,
                description: """
                    There is no listener on the leader broker that matches the listener on which \
                    metadata request was processed.
                    """
            )
        case 73:
            return Entry(
                name: "TOPIC_DELETION_DISABLED",
                isRetriable: false,
                description: "Topic deletion is disabled."
            )
        case 74:
            return Entry(
                name: "FENCED_LEADER_EPOCH",
                isRetriable: true,
                description: "The leader epoch in the request is older than the epoch on the broker."
            )
        case 75:
            return Entry(
                name: "UNKNOWN_LEADER_EPOCH",
                isRetriable: true,
                description: "The leader epoch in the request is newer than the epoch on the broker."
            )
        case 76:
            return Entry(
                name: "UNSUPPORTED_COMPRESSION_TYPE",
                isRetriable: false,
                description: "The requesting client does not support the compression type of given partition."
            )
        case 77:
            return Entry(name: "STALE_BROKER_EPOCH", isRetriable: false, description: "Broker epoch has changed.")
        case 78:
            return Entry(
                name: "OFFSET_NOT_AVAILABLE",
                isRetriable: true,
                description: """
                    The leader high watermark has not caught up from a recent leader election so the \
                    offsets cannot be guaranteed to be monotonically increasing.
                    """
            )
        case 79:
            return Entry(
                name: "MEMBER_ID_REQUIRED",
                isRetriable: false,
                description: """
                    The group member needs to have a valid member id before actually entering a \
                    consumer group.
                    """
            )
        case 80:
            return Entry(
                name: "PREFERRED_LEADER_NOT_AVAILABLE",
                isRetriable: true,
                description: "The preferred leader was not available."
            )
        case 81:
            return Entry(
                name: "GROUP_MAX_SIZE_REACHED",
                isRetriable: false,
                description: "The consumer group has reached its max size."
            )
        case 82:
            return Entry(
                name: "FENCED_INSTANCE_ID",
                isRetriable: false,
                description: """
                    The broker rejected this static consumer since another consumer with the same \
                    group.instance.id has registered with a different member.id.
                    """
            )
        case 83:
            return Entry(
                name: "ELIGIBLE_LEADERS_NOT_AVAILABLE",
                isRetriable: true,
                description: "Eligible topic partition leaders are not available."
            )
        case 84:
            return Entry(
                name: "ELECTION_NOT_NEEDED",
                isRetriable: true,
                description: "Leader election not needed for topic partition."
            )
        case 85:
            return Entry(
                name: "NO_REASSIGNMENT_IN_PROGRESS",
                isRetriable: false,
                description: "No partition reassignment is in progress."
            )
        case 86:
            return Entry(
                name: "GROUP_SUBSCRIBED_TO_TOPIC",
                isRetriable: false,
                description: """
                    Deleting offsets of a topic is forbidden while the consumer group is actively \
                    subscribed to it.
                    """
            )
        case 87:
            return Entry(
                name: "INVALID_RECORD",
                isRetriable: false,
                description: "This record has failed the validation on broker and hence will be rejected."
            )
        case 88:
            return Entry(
                name: "UNSTABLE_OFFSET_COMMIT",
                isRetriable: true,
                description: "There are unstable offsets that need to be cleared."
            )
        case 89:
            return Entry(
                name: "THROTTLING_QUOTA_EXCEEDED",
                isRetriable: true,
                description: "The throttling quota has been exceeded."
            )
        case 90:
            return Entry(
                name: "PRODUCER_FENCED",
                isRetriable: false,
                description: "There is a newer producer with the same transactionalId which fences the current one."
            )
        case 91:
            return Entry(
                name: "RESOURCE_NOT_FOUND",
                isRetriable: false,
                description: "A request illegally referred to a resource that does not exist."
            )
        case 92:
            return Entry(
                name: "DUPLICATE_RESOURCE",
                isRetriable: false,
                description: "A request illegally referred to the same resource twice."
            )
        case 93:
            return Entry(
                name: "UNACCEPTABLE_CREDENTIAL",
                isRetriable: false,
                description: "Requested credential would not meet criteria for acceptability."
            )
        case 94:
            return Entry(
                name: "INCONSISTENT_VOTER_SET",
                isRetriable: false,
                description: """
                    Indicates that the either the sender or recipient of a voter-only request is not \
                    one of the expected voters.
                    """
            )
        case 95:
            return Entry(
                name: "INVALID_UPDATE_VERSION",
                isRetriable: false,
                description: "The given update version was invalid."
            )
        case 96:
            return Entry(
                name: "FEATURE_UPDATE_FAILED",
                isRetriable: false,
                description: "Unable to update finalized features due to an unexpected server error."
            )
        case 97:
            return Entry(
                name: "PRINCIPAL_DESERIALIZATION_FAILURE",
                isRetriable: false,
                description: "Request principal deserialization failed during forwarding."
            )
        case 98:
            return Entry(
                name: "SNAPSHOT_NOT_FOUND",
                isRetriable: false,
                description: "Requested snapshot was not found."
            )
        case 99:
            return Entry(
                name: "POSITION_OUT_OF_RANGE",
                isRetriable: false,
                description: """
                    Requested position is not greater than or equal to zero, and less than the size \
                    of the snapshot.
                    """
            )
        case 100:
            return Entry(
                name: "UNKNOWN_TOPIC_ID",
                isRetriable: true,
                description: "This server does not host this topic ID."
            )
        case 101:
            return Entry(
                name: "DUPLICATE_BROKER_REGISTRATION",
                isRetriable: false,
                description: "This broker ID is already in use."
            )
        case 102:
            return Entry(
                name: "BROKER_ID_NOT_REGISTERED",
                isRetriable: false,
                description: "The given broker ID was not registered."
            )
        case 103:
            return Entry(
                name: "INCONSISTENT_TOPIC_ID",
                isRetriable: true,
                description: "The log's topic ID did not match the topic ID in the request."
            )
        case 104:
            return Entry(
                name: "INCONSISTENT_CLUSTER_ID",
                isRetriable: false,
                description: "The clusterId in the request does not match that found on the server."
            )
        case 105:
            return Entry(
                name: "TRANSACTIONAL_ID_NOT_FOUND",
                isRetriable: false,
                description: "The transactionalId could not be found."
            )
        case 106:
            return Entry(
                name: "FETCH_SESSION_TOPIC_ID_ERROR",
                isRetriable: true,
                description: "The fetch session encountered inconsistent topic ID usage."
            )
        case 107:
            return Entry(
                name: "INELIGIBLE_REPLICA",
                isRetriable: false,
                description: "The new ISR contains at least one ineligible replica."
            )
        case 108:
            return Entry(
                name: "NEW_LEADER_ELECTED",
                isRetriable: false,
                description: """
                    The AlterPartition request successfully updated the partition state but the \
                    leader has changed.
                    """
            )
        case 109:
            return Entry(
                name: "OFFSET_MOVED_TO_TIERED_STORAGE",
                isRetriable: false,
                description: "The requested offset is moved to tiered storage."
            )
        case 110:
            return Entry(
                name: "FENCED_MEMBER_EPOCH",
                isRetriable: false,
                description: "The member epoch is fenced by the group coordinator."
            )
        case 111:
            return Entry(
                name: "UNRELEASED_INSTANCE_ID",
                isRetriable: false,
                description: "The instance ID is still used by another member in the consumer group."
            )
        case 112:
            return Entry(
                name: "UNSUPPORTED_ASSIGNOR",
                isRetriable: false,
                description: "The assignor or its version range is not supported by the consumer group."
            )
        case 113:
            return Entry(name: "STALE_MEMBER_EPOCH", isRetriable: false, description: "The member epoch is stale.")
        case 114:
            return Entry(
                name: "MISMATCHED_ENDPOINT_TYPE",
                isRetriable: false,
                description: "The request was sent to an endpoint of the wrong type."
            )
        case 115:
            return Entry(
                name: "UNSUPPORTED_ENDPOINT_TYPE",
                isRetriable: false,
                description: "This endpoint type is not supported yet."
            )
        case 116:
            return Entry(
                name: "UNKNOWN_CONTROLLER_ID",
                isRetriable: false,
                description: "This controller ID is not known."
            )
        case 117:
            return Entry(
                name: "UNKNOWN_SUBSCRIPTION_ID",
                isRetriable: false,
                description: "Client sent a push telemetry request with an invalid or outdated subscription ID."
            )
        case 118:
            return Entry(
                name: "TELEMETRY_TOO_LARGE",
                isRetriable: false,
                description: "Client sent a push telemetry request larger than the maximum size the broker will accept."
            )
        case 119:
            return Entry(
                name: "INVALID_REGISTRATION",
                isRetriable: false,
                description: "The controller has considered the broker registration to be invalid."
            )
        case 120:
            return Entry(
                name: "TRANSACTION_ABORTABLE",
                isRetriable: false,
                description: """
                    The server encountered an error with the transaction; the client can abort it \
                    and continue.
                    """
            )
        case 121:
            return Entry(name: "INVALID_RECORD_STATE", isRetriable: false, description: "The record state is invalid.")
        case 122:
            return Entry(
                name: "SHARE_SESSION_NOT_FOUND",
                isRetriable: true,
                description: "The share session was not found."
            )
        case 123:
            return Entry(
                name: "INVALID_SHARE_SESSION_EPOCH",
                isRetriable: true,
                description: "The share session epoch is invalid."
            )
        case 124:
            return Entry(
                name: "FENCED_STATE_EPOCH",
                isRetriable: false,
                description: """
                    The share coordinator rejected the request because the share-group state epoch \
                    did not match.
                    """
            )
        default:
            return nil
        }
    }
}
