import BrokerCore
import Testing

@Suite struct RetainedMessageTreeTests {
    func matches(_ tree: RetainedMessageTree<String>, _ raw: String) -> [String: String] {
        var found: [String: String] = [:]
        tree.forEachMatch(of: filter(raw)) { topic, message in
            #expect(found[topic] == nil, "\(topic) reported twice")
            found[topic] = message
        }
        return found
    }

    @Test func setReplaceAndClear() {
        var tree = RetainedMessageTree<String>()
        tree.set("1", forTopic: "a/b")
        tree.set("2", forTopic: "a")
        #expect(tree.count == 2)
        #expect(tree.message(forTopic: "a/b") == "1")
        #expect(tree.message(forTopic: "a") == "2")
        #expect(tree.message(forTopic: "a/b/c") == nil)
        #expect(tree.message(forTopic: "b") == nil)

        // MQTT-3.3.1-5: a new retained message replaces the old one.
        tree.set("3", forTopic: "a/b")
        #expect(tree.count == 2)
        #expect(tree.message(forTopic: "a/b") == "3")

        // MQTT-3.3.1-6: clearing removes it; clearing again or an unknown topic changes nothing.
        tree.set(nil, forTopic: "a/b")
        #expect(tree.count == 1)
        #expect(tree.message(forTopic: "a/b") == nil)
        tree.set(nil, forTopic: "a/b")
        tree.set(nil, forTopic: "x/y")
        #expect(tree.count == 1)
        #expect(tree.message(forTopic: "a") == "2")
        tree.set(nil, forTopic: "a")
        #expect(tree.isEmpty)
        #expect(tree.nodeCount == 0)
    }

    @Test func clearingAParentKeepsItsChildren() {
        var tree = RetainedMessageTree<String>()
        tree.set("parent", forTopic: "a")
        tree.set("child", forTopic: "a/b/c")
        #expect(tree.nodeCount == 3)
        tree.set(nil, forTopic: "a")
        #expect(tree.nodeCount == 3)
        #expect(tree.message(forTopic: "a/b/c") == "child")
        tree.set(nil, forTopic: "a/b/c")
        #expect(tree.nodeCount == 0)
    }

    @Test func topicsAreComparedByteWise() {
        var tree = RetainedMessageTree<String>()
        tree.set("composed", forTopic: "caf\u{E9}")
        tree.set("decomposed", forTopic: "cafe\u{301}")
        #expect(tree.count == 2)
        #expect(tree.message(forTopic: "caf\u{E9}") == "composed")
        #expect(tree.message(forTopic: "cafe\u{301}") == "decomposed")
    }

    @Test func wildcardRetrieval() {
        var tree = RetainedMessageTree<String>()
        for topic in [
            "sport", "sport/tennis", "sport/tennis/player1", "sport/golf", "/finance", "finance", "a//b", "$SYS/uptime",
            "x/$y",
        ] {
            tree.set(topic.uppercased(), forTopic: topic)
        }
        #expect(Set(matches(tree, "sport/#").keys) == ["sport", "sport/tennis", "sport/tennis/player1", "sport/golf"])
        #expect(Set(matches(tree, "sport/+").keys) == ["sport/tennis", "sport/golf"])
        #expect(Set(matches(tree, "sport/tennis/+").keys) == ["sport/tennis/player1"])
        #expect(Set(matches(tree, "+").keys) == ["sport", "finance"])
        #expect(Set(matches(tree, "+/+").keys) == ["sport/tennis", "sport/golf", "/finance", "x/$y"])
        #expect(Set(matches(tree, "/+").keys) == ["/finance"])
        #expect(Set(matches(tree, "a/+/b").keys) == ["a//b"])
        #expect(Set(matches(tree, "+/tennis/#").keys) == ["sport/tennis", "sport/tennis/player1"])
        #expect(matches(tree, "sport/tennis") == ["sport/tennis": "SPORT/TENNIS"])
        #expect(matches(tree, "sport/cricket").isEmpty)
        #expect(Set(matches(tree, "$share/g/sport/+").keys) == ["sport/tennis", "sport/golf"])
        // MQTT-4.7.2-1
        #expect(
            Set(matches(tree, "#").keys) == [
                "sport", "sport/tennis", "sport/tennis/player1", "sport/golf", "/finance", "finance", "a//b", "x/$y",
            ]
        )
        #expect(matches(tree, "+/uptime").isEmpty)
        #expect(Set(matches(tree, "$SYS/#").keys) == ["$SYS/uptime"])
        #expect(Set(matches(tree, "$SYS/+").keys) == ["$SYS/uptime"])
        #expect(Set(matches(tree, "x/+").keys) == ["x/$y"])
    }

    @Test func bodyErrorsStopTheWalk() {
        struct Stop: Error {}
        var tree = RetainedMessageTree<String>()
        for index in 0..<10 {
            tree.set("m", forTopic: "t/\(index)")
        }
        var calls = 0
        #expect(throws: Stop.self) {
            try tree.forEachMatch(of: filter("t/#")) { _, _ in
                calls += 1
                throw Stop()
            }
        }
        #expect(calls == 1)
    }

    @Test(arguments: [11, 12, 13] as [UInt64])
    func agreesWithBruteForce(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        var tree = RetainedMessageTree<String>()
        var model: [String: String] = [:]
        for step in 0..<2000 {
            let topic = SubscriptionTreeRandomizedTests.randomTopic(using: &random)
            if Int.random(in: 0..<3, using: &random) == 0 {
                tree.set(nil, forTopic: topic)
                model[topic] = nil
            } else {
                tree.set("\(step)", forTopic: topic)
                model[topic] = "\(step)"
            }
        }
        #expect(tree.count == model.count)
        for _ in 0..<300 {
            let raw = SubscriptionTreeRandomizedTests.randomFilter(using: &random)
            let parsed = filter(raw)
            let expected = model.filter { parsed.matches(topicName: $0.key) }
            #expect(matches(tree, raw) == expected, "filter \(raw)")
        }
        for topic in model.keys {
            #expect(tree.message(forTopic: topic) == model[topic])
            tree.set(nil, forTopic: topic)
        }
        #expect(tree.isEmpty)
        #expect(tree.nodeCount == 0)
    }
}
