import Bridge
import Foundation
import Yams

extension ConfigurationParser {
    /// One `kafka.kafka-to-mqtt[]` mapping.
    func parseKafkaToMQTT(
        _ node: Node,
        _ path: String,
        clusters: [String]
    ) -> KafkaSettings.KafkaToMQTTMapping? {
        let keys = [
            "name", "cluster", "kafka-topics", "kafka-topic-pattern", "group-id", "mqtt-topic", "qos", "retain",
            "content-type", "user-properties-from-headers", "message-expiry-seconds", "auto-offset-reset",
            "commit-interval-ms", "commit-records", "max-in-flight", "session-timeout-ms",
        ]
        guard let fields = reader.fields(node, path, allowed: keys) else { return nil }
        let name = required(fields, "name")
        let cluster = clusterReference(fields, clusters: clusters)
        let topics = kafkaTopicSelection(fields)
        let groupID = reader.nonEmptyString(fields, "group-id")
        let mqttTopic = mqttTopicTemplate(fields)
        let qos = reader.int(fields, "qos", in: 0...2) ?? 1
        let retain = reader.bool(fields, "retain") ?? false
        let contentType = reader.nonEmptyString(fields, "content-type")
        var headerNames: [String] = []
        if let node = fields["user-properties-from-headers"],
            let names = reader.strings(fields, "user-properties-from-headers")
        {
            if names.contains(where: \.isEmpty) {
                reader.report(node, fields.path("user-properties-from-headers"), "header names must not be empty")
            } else {
                headerNames = names
            }
        }
        let expiry = reader.int(fields, "message-expiry-seconds", in: 1...Int(UInt32.max))
        let reset = reader.choice(fields, "auto-offset-reset", as: KafkaSettings.KafkaToMQTTMapping.OffsetReset.self)
        let commitInterval = reader.int(fields, "commit-interval-ms", in: 1...60_000)
        let commitRecords = reader.int(fields, "commit-records", in: 1...1_000_000)
        let maximumInFlight = reader.int(fields, "max-in-flight", in: 1...1_000_000)
        let sessionTimeout = reader.int(fields, "session-timeout-ms", in: 1_000...300_000)
        guard let name, let cluster, let topics, let mqttTopic else { return nil }
        var mapping = KafkaSettings.KafkaToMQTTMapping(
            name: name,
            cluster: cluster,
            kafkaTopics: topics.list,
            kafkaTopicPattern: topics.pattern,
            groupID: groupID ?? "tributary-\(name)",
            mqttTopic: mqttTopic,
            qos: qos,
            retain: retain,
            contentType: contentType
        )
        mapping.userPropertiesFromHeaders = headerNames
        mapping.messageExpirySeconds = expiry
        if let reset { mapping.autoOffsetReset = reset }
        if let commitInterval { mapping.commitIntervalMilliseconds = commitInterval }
        if let commitRecords { mapping.commitRecords = commitRecords }
        if let maximumInFlight { mapping.maximumInFlight = maximumInFlight }
        if let sessionTimeout { mapping.sessionTimeoutMilliseconds = sessionTimeout }
        return mapping
    }

    /// `kafka-topics: [..]` or `kafka-topic-pattern: REGEX`, exactly one of them.
    private func kafkaTopicSelection(_ fields: ConfigurationReader.Fields) -> (list: [String], pattern: String?)? {
        let listNode = fields["kafka-topics"]
        let patternNode = fields["kafka-topic-pattern"]
        if listNode != nil, let patternNode {
            reader.report(
                patternNode,
                fields.path("kafka-topic-pattern"),
                "give kafka-topics or kafka-topic-pattern, not both"
            )
            return nil
        }
        if let listNode {
            guard let texts = reader.strings(fields, "kafka-topics") else { return nil }
            guard !texts.isEmpty, !texts.contains(where: \.isEmpty) else {
                reader.report(listNode, fields.path("kafka-topics"), "name at least one topic, none empty")
                return nil
            }
            return (texts, nil)
        }
        if let patternNode {
            guard let pattern = reader.nonEmptyString(fields, "kafka-topic-pattern") else { return nil }
            do {
                _ = try Regex(pattern)
            } catch {
                reader.report(patternNode, fields.path("kafka-topic-pattern"), "invalid regular expression: \(error)")
                return nil
            }
            return ([], pattern)
        }
        reader.reportMissing(fields, "kafka-topics", "or kafka-topic-pattern")
        return nil
    }

    /// `mqtt-topic`, checked by the bridge's own template parser; its static text cannot hold a
    /// wildcard (a topic name never can, MQTT-4.7.0-1).
    private func mqttTopicTemplate(_ fields: ConfigurationReader.Fields) -> String? {
        guard let node = fields["mqtt-topic"] else {
            reader.reportMissing(fields, "mqtt-topic")
            return nil
        }
        guard let text = reader.nonEmptyString(fields, "mqtt-topic") else { return nil }
        let template: KafkaToMQTTTemplate
        do {
            template = try KafkaToMQTTTemplate(parsing: text)
        } catch {
            reader.report(node, fields.path("mqtt-topic"), error.description)
            return nil
        }
        if template.staticText.contains(where: { $0 == "+" || $0 == "#" || $0 == "\u{0}" }) {
            reader.report(node, fields.path("mqtt-topic"), "an MQTT topic name cannot contain + or #")
            return nil
        }
        return text
    }
}
