import BrokerCore
import MQTTCodec
import Testing

@Suite struct InboundTopicAliasesTests {
    func code(_ result: Result<String, TopicAliasError>) -> MQTTReasonCode? {
        switch result {
        case .success: nil
        case .failure(let error): error.reasonCode
        }
    }

    @Test func topicWithoutAliasPassesThrough() {
        var aliases = InboundTopicAliases(maximum: 0)
        #expect(aliases.resolve(topic: "a/b", alias: nil) == .success("a/b"))
        #expect(aliases.count == 0)
    }

    @Test func emptyTopicWithoutAliasIsAProtocolError() {
        var aliases = InboundTopicAliases(maximum: 10)
        #expect(code(aliases.resolve(topic: "", alias: nil)) == .protocolError)
    }

    @Test func aliasZeroIsInvalid() {
        // MQTT-3.3.2-8
        var aliases = InboundTopicAliases(maximum: 10)
        #expect(code(aliases.resolve(topic: "a", alias: 0)) == .topicAliasInvalid)
        #expect(code(aliases.resolve(topic: "", alias: 0)) == .topicAliasInvalid)
    }

    @Test func aliasAboveMaximumIsInvalid() {
        var aliases = InboundTopicAliases(maximum: 2)
        #expect(code(aliases.resolve(topic: "a", alias: 3)) == .topicAliasInvalid)
        #expect(code(aliases.resolve(topic: "", alias: 3)) == .topicAliasInvalid)
        var none = InboundTopicAliases(maximum: 0)
        #expect(code(none.resolve(topic: "a", alias: 1)) == .topicAliasInvalid)
    }

    @Test func topicWithAliasSetsTheMappingAndEmptyTopicUsesIt() {
        var aliases = InboundTopicAliases(maximum: 3)
        #expect(aliases.resolve(topic: "site/1/telemetry", alias: 3) == .success("site/1/telemetry"))
        #expect(aliases.count == 1)
        #expect(aliases.resolve(topic: "", alias: 3) == .success("site/1/telemetry"))
        #expect(aliases.resolve(topic: "", alias: 3) == .success("site/1/telemetry"))
        // A topic with a mapped alias replaces the mapping (MQTT 5.0 §3.3.2.3.4).
        #expect(aliases.resolve(topic: "site/2/telemetry", alias: 3) == .success("site/2/telemetry"))
        #expect(aliases.resolve(topic: "", alias: 3) == .success("site/2/telemetry"))
        #expect(aliases.count == 1)
        #expect(aliases.resolve(topic: "x", alias: 1) == .success("x"))
        #expect(aliases.count == 2)
        #expect(aliases.resolve(topic: "", alias: 1) == .success("x"))
    }

    @Test func emptyTopicWithUnknownAliasIsAProtocolError() {
        var aliases = InboundTopicAliases(maximum: 5)
        #expect(code(aliases.resolve(topic: "", alias: 1)) == .protocolError)
        #expect(aliases.resolve(topic: "a", alias: 4) == .success("a"))
        // Below and above the highest alias mapped so far.
        #expect(code(aliases.resolve(topic: "", alias: 2)) == .protocolError)
        #expect(code(aliases.resolve(topic: "", alias: 5)) == .protocolError)
    }
}
