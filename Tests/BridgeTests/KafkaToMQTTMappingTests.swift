import Bridge
import BrokerCore
import KafkaClient
import KafkaProtocol
import MQTTCodec
import NIOCore
import Testing

@testable import Bridge

@Suite struct KafkaToMQTTMappingTests {
    private let now = NIODeadline.uptimeNanoseconds(5_000_000_000)

    private func record(key: String?, value: String? = "on", headers: [KafkaHeader] = []) -> KafkaConsumerRecord {
        KafkaConsumerRecord(
            topicPartition: TopicPartition(topic: "commands", partition: 0),
            offset: 1,
            key: key.map { ByteBuffer(string: $0) },
            value: value.map { ByteBuffer(string: $0) },
            headers: headers,
            timestamp: 0
        )
    }

    private func mapping(_ topic: String = "site/${key}/commands") throws -> KafkaToMQTTMapping {
        try KafkaToMQTTMapping(
            KafkaToMQTTSettings(
                name: "commands",
                cluster: "main",
                topics: .list(["commands"]),
                groupID: "g",
                mqttTopic: topic,
                qos: .exactlyOnce,
                retain: true,
                contentType: "application/json",
                userPropertiesFromHeaders: ["trace", "origin"],
                messageExpirySeconds: 60
            )
        )
    }

    @Test func aRecordBecomesAMessageWithTheMappingsProperties() throws {
        let headers = [
            KafkaHeader(key: "trace", value: ByteBuffer(string: "t-1")),
            KafkaHeader(key: "secret", value: ByteBuffer(string: "x")),
            KafkaHeader(key: "origin", value: nil),
            KafkaHeader(key: "trace", value: ByteBuffer(string: "t-2")),
        ]
        let message = try mapping().message(for: record(key: "42", headers: headers), now: now).get()
        #expect(message.topic == "site/42/commands")
        #expect(message.payload == ByteBuffer(string: "on"))
        #expect(message.qos == .exactlyOnce)
        #expect(message.retain)
        #expect(message.forwardedProperties.contentType == "application/json")
        #expect(
            message.forwardedProperties.userProperties == [
                MQTTUserProperty(name: "trace", value: "t-1"),
                MQTTUserProperty(name: "origin", value: ""),
                MQTTUserProperty(name: "trace", value: "t-2"),
            ]
        )
        #expect(message.expiry == MessageExpiry(interval: 60, receivedAt: now))
    }

    @Test func aNullValueIsAnEmptyPayload() throws {
        let message = try mapping().message(for: record(key: "42", value: nil), now: now).get()
        #expect(message.payload.readableBytes == 0)
    }

    @Test(arguments: [
        ("${key}", nil as String?),  // empty topic
        ("site/${key}", "a+b"),
        ("site/${key}", "a/#"),
        ("site/${key}", "a\u{0}b"),
        ("${key}", String(repeating: "x", count: 65_536)),
        ("${key}", String(repeating: "a/", count: 128)),
    ])
    func aTopicThatIsNoTopicNameIsDeadLettered(template: String, key: String?) throws {
        let result = try mapping(template).message(for: record(key: key), now: now)
        guard case .failure(let letter) = result else {
            Issue.record("expected a dead letter, got \(result)")
            return
        }
        #expect(letter.reason == .invalidTopic)
        #expect(letter.mapping == "commands")
        #expect(letter.record.offset == 1)
        #expect(!letter.detail.isEmpty)
    }

    @Test func theLongestValidTopicIsFine() throws {
        let key = String(repeating: "x", count: 65_535)
        let message = try mapping("${key}").message(for: record(key: key), now: now).get()
        #expect(message.topic.utf8.count == 65_535)
    }
}
