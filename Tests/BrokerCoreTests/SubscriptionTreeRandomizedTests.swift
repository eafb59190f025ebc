import BrokerCore
import MQTTCodec
import Testing

/// Compares the tree with a brute-force router built on `TopicFilter.matches` over random
/// subscriptions and topics, with seeded generators so that a failure repeats.
@Suite struct SubscriptionTreeRandomizedTests {
    static let levels = ["a", "b", "c", "", "$s", "é"]

    static func randomTopic(using random: inout SeededGenerator) -> String {
        let count = Int.random(in: 1...4, using: &random)
        return (0..<count).map { _ in levels.randomElement(using: &random)! }.joined(separator: "/")
    }

    static func randomFilter(using random: inout SeededGenerator) -> String {
        let count = Int.random(in: 1...4, using: &random)
        var parts = (0..<count).map { _ in
            Int.random(in: 0..<4, using: &random) == 0 ? "+" : levels.randomElement(using: &random)!
        }
        if Int.random(in: 0..<4, using: &random) == 0 {
            parts.append("#")
        }
        // A single empty level would be an empty (invalid) filter.
        let plain = parts == [""] ? "/" : parts.joined(separator: "/")
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return "$share/g1/" + plain
        case 1: return "$share/g2/" + plain
        default: return plain
        }
    }

    struct ModelSubscription {
        var filter: TopicFilter
        var options: SubscriptionOptions
        var identifier: UInt32?
    }

    /// subscriber name → raw filter → subscription
    typealias Model = [String: [String: ModelSubscription]]

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func treeAgreesWithBruteForce(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let subscribers = (0..<6).map { TestSubscriber("s\($0)") }
        var tree = Tree()
        var model: Model = [:]

        for step in 1...600 {
            let subscriber = subscribers.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<6:
                let parsed = filter(Self.randomFilter(using: &random))
                let options = SubscriptionOptions(
                    qos: QoS.allCases.randomElement(using: &random)!,
                    noLocal: !parsed.isShared && Bool.random(using: &random),
                    retainAsPublished: Bool.random(using: &random)
                )
                let identifier = Bool.random(using: &random) ? UInt32.random(in: 1...4, using: &random) : nil
                let isNew = tree.subscribe(subscriber, to: parsed, options: options, identifier: identifier)
                #expect(isNew == (model[subscriber.name]?[parsed.raw] == nil))
                model[subscriber.name, default: [:]][parsed.raw] = ModelSubscription(
                    filter: parsed,
                    options: options,
                    identifier: identifier
                )
            case 6..<9:
                // Half of the time a filter the subscriber has, otherwise probably one it has not.
                let raw =
                    Bool.random(using: &random)
                    ? model[subscriber.name]?.keys.sorted().randomElement(using: &random) ?? "x"
                    : Self.randomFilter(using: &random)
                let existed = tree.unsubscribe(subscriber, from: filter(raw))
                #expect(existed == (model[subscriber.name]?[raw] != nil))
                model[subscriber.name]?[raw] = nil
            default:
                tree.removeAll(of: subscriber)
                model[subscriber.name] = nil
            }

            if step % 50 == 0 {
                check(tree, against: model, subscribers: subscribers, using: &random)
            }
        }

        for subscriber in subscribers {
            tree.removeAll(of: subscriber)
        }
        #expect(tree.count == 0)
        #expect(tree.nodeCount == 0)
    }

    private func check(
        _ tree: Tree,
        against model: Model,
        subscribers: [TestSubscriber],
        using random: inout SeededGenerator
    ) {
        #expect(tree.count == model.values.reduce(0) { $0 + $1.count })
        for subscriber in subscribers {
            let expected = Set(
                (model[subscriber.name] ?? [:]).values.map {
                    Subscription(filter: $0.filter, options: $0.options, identifier: $0.identifier)
                }
            )
            #expect(Set(tree.subscriptions(of: subscriber)) == expected)
        }

        for _ in 0..<100 {
            let topic = Self.randomTopic(using: &random)
            let publisher = Bool.random(using: &random) ? subscribers.randomElement(using: &random) : nil
            var matches: [Tree.Match] = []
            tree.match(topic: topic, publisher: publisher, preferring: { _ in true }, into: &matches)

            // Ordinary subscriptions: one merged match per subscriber.
            for subscriber in subscribers {
                let matching = (model[subscriber.name] ?? [:]).values.filter {
                    !$0.filter.isShared && $0.filter.matches(topicName: topic)
                        && !($0.options.noLocal && subscriber === publisher)
                }
                let actual = matches.filter { !$0.isShared && $0.subscriber === subscriber }
                guard !matching.isEmpty else {
                    #expect(actual.isEmpty, "\(subscriber) should not receive \(topic)")
                    continue
                }
                #expect(actual.count == 1, "\(subscriber) should receive \(topic) once")
                guard let match = actual.first else { continue }
                #expect(match.qos == matching.map(\.options.qos).max())
                #expect(match.retainAsPublished == matching.contains { $0.options.retainAsPublished })
                #expect(Set(match.subscriptionIdentifiers) == Set(matching.compactMap(\.identifier)))
                #expect(match.subscriptionIdentifiers.count == Set(match.subscriptionIdentifiers).count)
            }

            // Shared groups: one match per matching group, for one of its members, with its options.
            var groups: [String: [(TestSubscriber, ModelSubscription)]] = [:]
            for subscriber in subscribers {
                for subscription in (model[subscriber.name] ?? [:]).values
                where subscription.filter.isShared && subscription.filter.matches(topicName: topic) {
                    groups[subscription.filter.raw, default: []].append((subscriber, subscription))
                }
            }
            let shared = matches.filter(\.isShared)
            #expect(shared.count == groups.count, "one delivery per shared group for \(topic)")
            for match in shared {
                let candidates = groups.values.joined().filter { member, subscription in
                    member === match.subscriber && subscription.options.qos == match.qos
                        && match.subscriptionIdentifiers == (subscription.identifier.map { [$0] } ?? [])
                }
                #expect(!candidates.isEmpty, "\(match.subscriber) is a member of a matching group")
            }
        }
    }
}

/// Many distinct levels, half of them longer than a node stores inline: exercises the growth of
/// the child table, deletion from it, and the compaction of long level bytes.
@Suite struct SubscriptionTreeLargeVocabularyTests {
    static let vocabulary: [String] = (0..<300).map { index in
        index % 2 == 0 ? "l\(index)" : "device-\(index)-0f8fad5b-d9cb-469f-a165-70867728950e"
    }

    static func randomPath(using random: inout SeededGenerator) -> [String] {
        (0..<Int.random(in: 1...3, using: &random)).map { _ in vocabulary.randomElement(using: &random)! }
    }

    @Test func agreesWithBruteForceAndPrunesEverything() {
        var random = SeededGenerator(seed: 2024)
        var tree = Tree()
        var retained = RetainedMessageTree<Int>()
        var subscriptions: [(TestSubscriber, TopicFilter)] = []
        var topics: Set<String> = []
        let subscribers = (0..<40).map { TestSubscriber("s\($0)") }

        for round in 0..<4 {
            for _ in 0..<1500 {
                var path = Self.randomPath(using: &random)
                topics.insert(path.joined(separator: "/"))
                retained.set(round, forTopic: path.joined(separator: "/"))
                if Bool.random(using: &random) {
                    path[Int.random(in: 0..<path.count, using: &random)] = "+"
                }
                let parsed = filter(
                    path.joined(separator: "/") + (Int.random(in: 0..<5, using: &random) == 0 ? "/#" : "")
                )
                let subscriber = subscribers.randomElement(using: &random)!
                if tree.subscribe(subscriber, to: parsed, options: options(), identifier: nil) {
                    subscriptions.append((subscriber, parsed))
                }
            }
            // Remove about two thirds, in random order.
            subscriptions.shuffle(using: &random)
            for (subscriber, parsed) in subscriptions.suffix(subscriptions.count * 2 / 3) {
                #expect(tree.unsubscribe(subscriber, from: parsed) == true)
            }
            subscriptions.removeLast(subscriptions.count * 2 / 3)
            for topic in topics.shuffled(using: &random).prefix(topics.count / 2) {
                retained.set(nil, forTopic: topic)
                topics.remove(topic)
            }
            #expect(tree.count == subscriptions.count)
            #expect(retained.count == topics.count)

            for _ in 0..<200 {
                let topic = Self.randomPath(using: &random).joined(separator: "/")
                var matches: [Tree.Match] = []
                tree.match(topic: topic, publisher: nil, preferring: { _ in true }, into: &matches)
                let expected = Set(subscriptions.filter { $0.1.matches(topicName: topic) }.map { $0.0.name })
                #expect(Set(matches.map(\.subscriber.name)) == expected, "routing \(topic)")
                #expect(matches.count == expected.count)
                #expect((retained.message(forTopic: topic) != nil) == topics.contains(topic))
            }
            for _ in 0..<50 {
                var path = Self.randomPath(using: &random)
                path[0] = "+"
                let parsed = filter(path.joined(separator: "/"))
                var found: Set<String> = []
                retained.forEachMatch(of: parsed) { topic, _ in found.insert(topic) }
                #expect(found == topics.filter { parsed.matches(topicName: $0) }, "retained for \(parsed)")
            }
        }

        for subscriber in subscribers {
            tree.removeAll(of: subscriber)
        }
        for topic in topics {
            retained.set(nil, forTopic: topic)
        }
        #expect(tree.nodeCount == 0)
        #expect(retained.nodeCount == 0)
    }
}
