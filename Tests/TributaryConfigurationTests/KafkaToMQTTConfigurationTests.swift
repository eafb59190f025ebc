import Testing
import TributaryConfiguration

/// The settings of `kafka.kafka-to-mqtt` mappings, and their mistakes.
@Suite struct KafkaToMQTTConfigurationTests {
    private func mapping(_ lines: String) -> String {
        """
        kafka:
          clusters: [{ name: main, bootstrap: ["127.0.0.1:9092"] }]
          kafka-to-mqtt:
            - name: commands
        \(lines)
        """
    }

    private let minimal = """
              kafka-topics: [generator-commands]
              mqtt-topic: "site/${key}/commands"
        """

    @Test func everyKeyIsRead() throws {
        let configuration = try parse(
            mapping(
                """
                      kafka-topic-pattern: "generator-.*-commands"
                      group-id: g
                      mqtt-topic: "site/${value.site}/gen/${header.device}/${key}/${topic}/${partition}"
                      qos: 2
                      retain: true
                      content-type: application/json
                      user-properties-from-headers: [trace-id, origin]
                      message-expiry-seconds: 300
                      auto-offset-reset: latest
                      commit-interval-ms: 50
                      commit-records: 10
                      max-in-flight: 100
                      session-timeout-ms: 6000
                """
            )
        )
        let read = try #require(configuration.kafka.kafkaToMQTT.first)
        #expect(read.kafkaTopics.isEmpty)
        #expect(read.kafkaTopicPattern == "generator-.*-commands")
        #expect(read.groupID == "g")
        #expect(read.qos == 2 && read.retain)
        #expect(read.contentType == "application/json")
        #expect(read.userPropertiesFromHeaders == ["trace-id", "origin"])
        #expect(read.messageExpirySeconds == 300)
        #expect(read.autoOffsetReset == .latest)
        #expect(read.commitIntervalMilliseconds == 50)
        #expect(read.commitRecords == 10)
        #expect(read.maximumInFlight == 100)
        #expect(read.sessionTimeoutMilliseconds == 6_000)
    }

    @Test func defaults() throws {
        let read = try #require(try parse(mapping(minimal)).kafka.kafkaToMQTT.first)
        #expect(read.kafkaTopics == ["generator-commands"] && read.kafkaTopicPattern == nil)
        #expect(read.groupID == "tributary-commands")
        #expect(read.qos == 1 && !read.retain)
        #expect(read.contentType == nil && read.userPropertiesFromHeaders.isEmpty && read.messageExpirySeconds == nil)
        #expect(read.autoOffsetReset == .earliest)
        #expect(read.commitIntervalMilliseconds == 200 && read.commitRecords == 1_000 && read.maximumInFlight == 10_000)
    }

    @Test func noWarningThatMappingsAreIgnored() throws {
        #expect(try parse(mapping(minimal)).warnings.filter { $0.contains("kafka-to-mqtt") }.isEmpty)
    }

    /// Each mistake is reported once, as `FILE:LINE: key: problem`.
    @Test(arguments: [
        (
            "      kafka-topics: [a]\n      kafka-topic-pattern: \"a.*\"\n      mqtt-topic: x",
            6, "kafka-topic-pattern", "not both"
        ),
        ("      mqtt-topic: x", 4, "", "missing required key `kafka-topics` (or kafka-topic-pattern)"),
        (
            "      kafka-topic-pattern: \"(unclosed\"\n      mqtt-topic: x", 5, "kafka-topic-pattern",
            "regular expression"
        ),
        ("      kafka-topics: [a]\n      mqtt-topic: \"x/${clientid}\"", 6, "mqtt-topic", "${clientid}"),
        ("      kafka-topics: [a]\n      mqtt-topic: \"x/${header.}\"", 6, "mqtt-topic", "${header.}"),
        ("      kafka-topics: [a]\n      mqtt-topic: \"x/+/${key}\"", 6, "mqtt-topic", "+ or #"),
        ("      kafka-topics: [a]\n      mqtt-topic: \"x/${key\"", 6, "mqtt-topic", "unterminated"),
        ("      kafka-topics: [a]", 4, "", "missing required key `mqtt-topic`"),
        ("      kafka-topics: [a]\n      mqtt-topic: x\n      qos: 3", 7, "qos", "0–2"),
        (
            "      kafka-topics: [a]\n      mqtt-topic: x\n      message-expiry-seconds: 0", 7,
            "message-expiry-seconds", "range"
        ),
        (
            "      kafka-topics: [a]\n      mqtt-topic: x\n      user-properties-from-headers: [\"\"]",
            7, "user-properties-from-headers", "empty"
        ),
        (
            "      kafka-topics: [a]\n      mqtt-topic: x\n      auto-offset-reset: oldest", 7, "auto-offset-reset",
            "earliest"
        ),
        ("      kafka-topics: [a]\n      mqtt-topic: x\n      content-type: \"\"", 7, "content-type", "empty"),
        ("      kafka-topics: [a]\n      mqtt-topic: x\n      commit-records: 0", 7, "commit-records", "range"),
        ("      kafka-topics: [a]\n      mqtt-topic: x\n      retian: true", 7, "retian", "unknown key"),
    ])
    func mistakesNameTheirKeyAndLine(lines: String, line: Int, key: String, text: String) throws {
        let found = issues(mapping(lines))
        #expect(found.count == 1, "\(found)")
        let issue = try #require(found.first)
        // A missing key is reported at the mapping itself.
        let path = key.isEmpty ? "kafka.kafka-to-mqtt[0]" : "kafka.kafka-to-mqtt[0].\(key)"
        #expect(issue.line == line, "\(issue)")
        #expect(issue.keyPath == path, "\(issue)")
        #expect(issue.description.contains(text), "\(issue)")
        #expect(issue.description.hasPrefix("tributary.yaml:\(line): \(path): "), "\(issue)")
    }
}
