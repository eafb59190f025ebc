import MQTTCodec

/// Validation of topic names: the topics PUBLISH packets are sent to (MQTT 5.0 §4.7).
public enum TopicName {
    /// Checks a topic name a client published to.
    ///
    /// Returns nil when `name` is valid, 0x90 Topic Name invalid otherwise. An empty topic name is
    /// invalid here: resolve a Topic Alias first (`InboundTopicAliases`), then validate.
    public static func validate(_ name: String, limits: TopicLimits = .default) -> MQTTReasonCode? {
        let byteCount = name.utf8.count
        // MQTT-4.7.3-1: at least one character. MQTT-4.7.3-3 and the server's own limit.
        guard byteCount > 0, byteCount <= limits.maximumLength else { return .topicNameInvalid }
        let levels = name.withUTF8Bytes { bytes -> Int? in
            var levels = 1
            for byte in bytes {
                switch byte {
                case TopicByte.slash: levels += 1
                // MQTT-3.3.2-2, MQTT-4.7.0-1: no wildcards in topic names.
                case TopicByte.plus, TopicByte.hash: return nil
                // MQTT-4.7.3-2: no U+0000.
                case TopicByte.null: return nil
                default: continue
                }
            }
            return levels
        }
        guard let levels, levels <= limits.maximumLevels else { return .topicNameInvalid }
        return nil
    }

    /// Whether `name` is a server-internal topic such as `$SYS/…`, which filters starting with a
    /// wildcard do not match (MQTT 5.0 §4.7.2, MQTT-4.7.2-1).
    @inlinable
    public static func isSystemTopic(_ name: String) -> Bool {
        name.utf8.first == UInt8(ascii: "$")
    }
}
