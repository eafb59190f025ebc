import MQTTCodec

/// The Topic Alias mappings a client established on one network connection, for the PUBLISH
/// packets it sends to the server (MQTT 5.0 §3.3.2.3.4).
///
/// Mappings live as long as the connection (MQTT-3.3.2-7): make a new value per connection.
public struct InboundTopicAliases: Sendable {
    /// The Topic Alias Maximum the server sent in CONNACK (§3.2.2.3.8); 0 means no aliases.
    public let maximum: UInt16
    /// `topics[alias - 1]`, grown on demand up to the highest alias used so far (at most
    /// `maximum`, which the server chose).
    private var topics: [String?] = []

    /// Empty mappings for a new connection whose CONNACK announced `maximum`.
    public init(maximum: UInt16) {
        self.maximum = maximum
    }

    /// The number of aliases currently mapped.
    public private(set) var count = 0

    /// Resolves the topic of an incoming PUBLISH from its Topic Name and Topic Alias property.
    ///
    /// - Topic Name and alias: the alias is (re)mapped to the name, which is returned.
    /// - Empty Topic Name and a mapped alias: the mapped topic.
    /// - Topic Name without alias: the name, unchanged.
    ///
    /// Fails with 0x94 Topic Alias invalid for alias 0 (MQTT-3.3.2-8) or above `maximum`
    /// (MQTT-3.3.2-9, 0x94 in §3.3.2.3.4), with 0x82 Protocol Error for an empty Topic Name
    /// without alias (§3.3.2.1) or with an alias that has no mapping yet (§3.3.2.3.4).
    /// The resolved topic still needs `TopicName.validate`.
    public mutating func resolve(topic: String, alias: UInt16?) -> Result<String, TopicAliasError> {
        guard let alias else {
            if topic.isEmpty {
                return .failure(
                    TopicAliasError(
                        reasonCode: .protocolError,
                        detail: "empty Topic Name without Topic Alias (MQTT 5.0 §3.3.2.1)"
                    )
                )
            }
            return .success(topic)
        }
        guard alias != 0 else {
            return .failure(TopicAliasError(reasonCode: .topicAliasInvalid, detail: "Topic Alias 0 (MQTT-3.3.2-8)"))
        }
        guard alias <= maximum else {
            return .failure(
                TopicAliasError(
                    reasonCode: .topicAliasInvalid,
                    detail: "Topic Alias \(alias) above the Topic Alias Maximum \(maximum) (MQTT-3.3.2-9)"
                )
            )
        }
        let slot = Int(alias) - 1
        if topic.isEmpty {
            guard slot < topics.count, let mapped = topics[slot] else {
                return .failure(
                    TopicAliasError(
                        reasonCode: .protocolError,
                        detail: "Topic Alias \(alias) used before it was mapped (MQTT 5.0 §3.3.2.3.4)"
                    )
                )
            }
            return .success(mapped)
        }
        if slot >= topics.count {
            topics.append(contentsOf: repeatElement(nil, count: slot + 1 - topics.count))
        }
        // A non-empty Topic Name with a known alias replaces the mapping (§3.3.2.3.4).
        if topics[slot] == nil {
            count += 1
        }
        topics[slot] = topic
        return .success(topic)
    }
}
