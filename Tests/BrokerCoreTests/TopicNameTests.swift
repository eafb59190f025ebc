import BrokerCore
import MQTTCodec
import Testing

@Suite struct TopicNameTests {
    @Test(arguments: [
        "sport/tennis/player1",
        "sport",
        "/",
        "/finance",
        "sport/",
        "a//b",
        "$SYS/monitor/Clients",
        "ACCOUNTS",
        "with space/ and ünïcode/😀",
        "site/42/generator/7/telemetry",
    ])
    func validNames(_ name: String) {
        #expect(TopicName.validate(name, limits: .default) == nil)
    }

    @Test(arguments: [
        "",  // MQTT-4.7.3-1
        "sport/+",  // MQTT-3.3.2-2
        "sport/#",
        "#",
        "+",
        "sport+",
        "a/b#",
        "a\u{0}b",  // MQTT-4.7.3-2
    ])
    func invalidNames(_ name: String) {
        #expect(TopicName.validate(name, limits: .default) == .topicNameInvalid)
    }

    @Test func lengthLimitCountsUTF8Bytes() {
        let limits = TopicLimits(maximumLength: 4)
        #expect(TopicName.validate("abcd", limits: limits) == nil)
        #expect(TopicName.validate("abcde", limits: limits) == .topicNameInvalid)
        // "é" is two bytes.
        #expect(TopicName.validate("abé", limits: limits) == nil)
        #expect(TopicName.validate("abcé", limits: limits) == .topicNameInvalid)
    }

    @Test func levelLimit() {
        let limits = TopicLimits(maximumLevels: 3)
        #expect(TopicName.validate("a/b/c", limits: limits) == nil)
        #expect(TopicName.validate("a/b/c/", limits: limits) == .topicNameInvalid)
        #expect(TopicName.validate("//", limits: limits) == nil)
        #expect(TopicName.validate("///", limits: limits) == .topicNameInvalid)
    }

    @Test func systemTopics() {
        #expect(TopicName.isSystemTopic("$SYS/broker/uptime"))
        #expect(TopicName.isSystemTopic("$"))
        #expect(!TopicName.isSystemTopic("SYS/$"))
        #expect(!TopicName.isSystemTopic("/$SYS"))
        #expect(!TopicName.isSystemTopic(""))
    }
}
