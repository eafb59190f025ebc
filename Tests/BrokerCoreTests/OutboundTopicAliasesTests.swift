import BrokerCore
import Testing

@Suite struct OutboundTopicAliasesTests {
    func alias(_ aliases: inout OutboundTopicAliases, _ topic: String) -> [UInt16: Bool] {
        guard let result = aliases.alias(for: topic) else { return [:] }
        return [result.alias: result.isNew]
    }

    @Test func maximumZeroNeverAliases() {
        var aliases = OutboundTopicAliases(maximum: 0)
        #expect(aliases.alias(for: "a") == nil)
        #expect(aliases.alias(for: "a") == nil)
        #expect(aliases.count == 0)
    }

    @Test func assignsNewAliasesUpToTheMaximumThenReuses() {
        var aliases = OutboundTopicAliases(maximum: 3)
        #expect(alias(&aliases, "a") == [1: true])
        #expect(alias(&aliases, "b") == [2: true])
        #expect(alias(&aliases, "a") == [1: false])
        #expect(alias(&aliases, "c") == [3: true])
        #expect(alias(&aliases, "b") == [2: false])
        #expect(alias(&aliases, "c") == [3: false])
        #expect(aliases.count == 3)
    }

    @Test func replacesTheLeastRecentlyUsedWhenFull() {
        var aliases = OutboundTopicAliases(maximum: 2)
        #expect(alias(&aliases, "a") == [1: true])
        #expect(alias(&aliases, "b") == [2: true])
        #expect(alias(&aliases, "a") == [1: false])
        // b is the least recently used.
        #expect(alias(&aliases, "c") == [2: true])
        #expect(alias(&aliases, "a") == [1: false])
        #expect(alias(&aliases, "b") == [2: true])
        #expect(alias(&aliases, "c") == [1: true])
        #expect(alias(&aliases, "b") == [2: false])
        #expect(alias(&aliases, "c") == [1: false])
        #expect(aliases.count == 2)
    }

    @Test func maximumOneAlwaysReusesTheSameAlias() {
        var aliases = OutboundTopicAliases(maximum: 1)
        #expect(alias(&aliases, "a") == [1: true])
        #expect(alias(&aliases, "a") == [1: false])
        #expect(alias(&aliases, "b") == [1: true])
        #expect(alias(&aliases, "a") == [1: true])
    }

    @Test func neverExceedsTheMaximumAndStaysConsistent() {
        // Replays random traffic against a simple LRU model (MQTT-3.3.2-11).
        var random = SeededGenerator(seed: 99)
        var aliases = OutboundTopicAliases(maximum: 8)
        var clientView: [UInt16: String] = [:]
        var recency: [String] = []  // most recent last
        for _ in 0..<5000 {
            let topic = "t/\(Int.random(in: 0..<20, using: &random))"
            guard let (alias, isNew) = aliases.alias(for: topic) else {
                Issue.record("no alias")
                return
            }
            #expect((1...8).contains(alias))
            if isNew {
                #expect(!recency.contains(topic))
                if recency.count == 8 {
                    let evicted = recency.removeFirst()
                    #expect(clientView[alias] == evicted, "the least recently used alias is reused")
                }
                clientView[alias] = topic
            } else {
                // What the client would resolve an empty topic with this alias to.
                #expect(clientView[alias] == topic)
                recency.removeAll { $0 == topic }
            }
            recency.append(topic)
        }
        #expect(aliases.count == 8)
    }

    @Test func topicsAreComparedByteWise() {
        var aliases = OutboundTopicAliases(maximum: 4)
        #expect(alias(&aliases, "caf\u{E9}") == [1: true])
        #expect(alias(&aliases, "cafe\u{301}") == [2: true])
    }

    @Test func forgottenAliasIsSentWithTheTopicAgain() {
        var aliases = OutboundTopicAliases(maximum: 2)
        let first = aliases.alias(for: "a/b")
        #expect(first?.isNew == true)
        aliases.forget(topic: "a/b")
        let again = aliases.alias(for: "a/b")
        #expect(again?.isNew == true)
        #expect(aliases.alias(for: "a/b")?.isNew == false)
        aliases.forget(topic: "never/used")
        #expect(aliases.count <= 2)
    }
}
