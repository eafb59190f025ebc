import KafkaClient
import KafkaProtocol

/// Why a record did not reach Kafka, as counted per mapping
/// (`$SYS/broker/bridge/<mapping>/failed/<reason>`).
public enum BridgeFailureReason: String, Sendable, CaseIterable {
    /// Kafka was unreachable or did not answer in time (the producer may take it later).
    case unavailable
    /// Larger than Kafka or the producer accepts.
    case tooLarge = "too-large"
    /// The topic does not exist and the mapping does not create topics.
    case unknownTopic = "unknown-topic"
    /// Kafka's topic or cluster authorisation refused it.
    case notAuthorized = "not-authorized"
    /// The topic template gave a name Kafka does not allow.
    case badTopicName = "bad-topic-name"
    /// Any other error Kafka will not change its mind about.
    case refused

    init(_ error: KafkaError) {
        if error.code == .messageTooLarge {
            self = .tooLarge
            return
        }
        if error.code == .unknownTopicOrPartition {
            self = .unknownTopic
            return
        }
        switch error.brokerErrorCode {
        case .messageTooLarge?, .recordListTooLarge?: self = .tooLarge
        case .unknownTopicOrPartition?: self = .unknownTopic
        case .topicAuthorizationFailed?, .clusterAuthorizationFailed?: self = .notAuthorized
        default: self = error.isRetriable || error.code == .shutDown ? .unavailable : .refused
        }
    }
}
