import BrokerCore
import MQTTCodec
import Testing

typealias Tree = SubscriptionTree<TestSubscriber>

extension SubscriptionTree where Subscriber == TestSubscriber {
    func route(
        _ topic: String,
        from publisher: TestSubscriber? = nil,
        preferring isPreferred: (TestSubscriber) -> Bool = { _ in true }
    ) -> [Match] {
        var matches: [Match] = []
        match(topic: topic, publisher: publisher, preferring: isPreferred, into: &matches)
        return matches
    }

    /// The ordinary (non-shared) matches, by subscriber name.
    func directMatches(_ topic: String, from publisher: TestSubscriber? = nil) -> [String: Match] {
        var byName: [String: Match] = [:]
        for match in route(topic, from: publisher) where !match.isShared {
            #expect(byName[match.subscriber.name] == nil, "one ordinary match per subscriber")
            byName[match.subscriber.name] = match
        }
        return byName
    }
}

@Suite struct SubscriptionTreeTests {
    let a = TestSubscriber("a")
    let b = TestSubscriber("b")
    let c = TestSubscriber("c")
    let d = TestSubscriber("d")

    // MARK: - Basics

    @Test func routesToMatchingFiltersOnly() {
        var tree = Tree()
        tree.subscribe(a, to: filter("sport/tennis/+"), options: options(.atLeastOnce), identifier: nil)
        tree.subscribe(b, to: filter("sport/#"), options: options(), identifier: 7)
        tree.subscribe(c, to: filter("news"), options: options(), identifier: nil)

        let matches = tree.directMatches("sport/tennis/player1")
        #expect(Set(matches.keys) == ["a", "b"])
        #expect(matches["a"]?.qos == .atLeastOnce)
        #expect(matches["a"]?.subscriptionIdentifiers == [])
        #expect(matches["b"]?.subscriptionIdentifiers == [7])
        #expect(matches["a"]?.isShared == false)

        #expect(Set(tree.directMatches("sport").keys) == ["b"])
        #expect(Set(tree.directMatches("news").keys) == ["c"])
        #expect(tree.route("news/x").isEmpty)
        #expect(tree.route("weather").isEmpty)
        #expect(tree.count == 3)
    }

    @Test func emptyTreeMatchesNothing() {
        let tree = Tree()
        #expect(tree.route("a/b").isEmpty)
        #expect(tree.isEmpty)
        #expect(tree.nodeCount == 0)
    }

    @Test func appendsToTheCallersArray() {
        var tree = Tree()
        tree.subscribe(a, to: filter("x"), options: options(), identifier: nil)
        var matches = [
            SubscriptionMatch(
                subscriber: b,
                qos: .exactlyOnce,
                retainAsPublished: false,
                subscriptionIdentifiers: [],
                sharedGroup: nil
            )
        ]
        tree.match(topic: "x", publisher: nil, preferring: { _ in true }, into: &matches)
        #expect(matches.map(\.subscriber.name) == ["b", "a"])
    }

    // MARK: - Overlapping subscriptions (MQTT 5.0 §3.3.4)

    @Test func overlappingSubscriptionsMergeIntoOneMatch() {
        var tree = Tree()
        tree.subscribe(a, to: filter("a/+"), options: options(.atLeastOnce), identifier: 1)
        tree.subscribe(a, to: filter("a/#"), options: options(.exactlyOnce), identifier: 2)
        tree.subscribe(a, to: filter("a/b"), options: options(.atMostOnce, retainAsPublished: true), identifier: nil)
        tree.subscribe(a, to: filter("#"), options: options(.atMostOnce), identifier: 2)
        tree.subscribe(b, to: filter("a/b"), options: options(.atLeastOnce), identifier: 3)

        let matches = tree.route("a/b")
        #expect(matches.count == 2)
        let forA = tree.directMatches("a/b")["a"]
        // MQTT-3.3.4-2: the highest QoS; MQTT-3.3.4-4: every identifier once.
        #expect(forA?.qos == .exactlyOnce)
        #expect(Set(forA?.subscriptionIdentifiers ?? []) == [1, 2])
        #expect(forA?.subscriptionIdentifiers.count == 2)
        #expect(forA?.retainAsPublished == true)
        let forB = tree.directMatches("a/b")["b"]
        #expect(forB?.qos == .atLeastOnce)
        #expect(forB?.subscriptionIdentifiers == [3])
        #expect(forB?.retainAsPublished == false)

        // Only `a/#` and `#` match `a`.
        let parent = tree.directMatches("a")["a"]
        #expect(parent?.qos == .exactlyOnce)
        #expect(parent?.subscriptionIdentifiers == [2])
        #expect(parent?.retainAsPublished == false)
    }

    @Test func largeOverlappingFanOutStillMergesPerSubscriber() {
        var tree = Tree()
        let subscribers = (0..<2000).map { TestSubscriber("s\($0)") }
        for (index, subscriber) in subscribers.enumerated() {
            tree.subscribe(subscriber, to: filter("fleet/+/status"), options: options(.atMostOnce), identifier: 1)
            // Every third one also subscribes to the exact topic, at a higher QoS.
            if index % 3 == 0 {
                tree.subscribe(subscriber, to: filter("fleet/7/status"), options: options(.atLeastOnce), identifier: 2)
            }
            if index % 5 == 0 {
                tree.subscribe(subscriber, to: filter("fleet/#"), options: options(.exactlyOnce), identifier: nil)
            }
        }
        let matches = tree.route("fleet/7/status")
        #expect(matches.count == subscribers.count)
        #expect(Set(matches.map(\.subscriber)).count == subscribers.count)
        for match in matches {
            let index = Int(match.subscriber.name.dropFirst())!
            let expectedQoS: QoS = index % 5 == 0 ? .exactlyOnce : index % 3 == 0 ? .atLeastOnce : .atMostOnce
            #expect(match.qos == expectedQoS)
            #expect(Set(match.subscriptionIdentifiers) == (index % 3 == 0 ? [1, 2] : [1]))
        }
        #expect(tree.route("fleet/8/status").count == subscribers.count)
    }

    // MARK: - No Local (MQTT-3.8.3-3)

    @Test func noLocalSkipsThePublishersOwnSubscription() {
        var tree = Tree()
        tree.subscribe(a, to: filter("chat"), options: options(.atLeastOnce, noLocal: true), identifier: nil)
        tree.subscribe(b, to: filter("chat"), options: options(noLocal: true), identifier: nil)

        #expect(Set(tree.directMatches("chat", from: a).keys) == ["b"])
        #expect(Set(tree.directMatches("chat", from: b).keys) == ["a"])
        #expect(Set(tree.directMatches("chat", from: c).keys) == ["a", "b"])
        #expect(Set(tree.directMatches("chat", from: nil).keys) == ["a", "b"])
    }

    @Test func noLocalOnlySkipsThatSubscriptionOfAnOverlap() {
        var tree = Tree()
        tree.subscribe(a, to: filter("chat/+"), options: options(.exactlyOnce, noLocal: true), identifier: 1)
        tree.subscribe(a, to: filter("chat/#"), options: options(.atMostOnce), identifier: 2)

        let own = tree.directMatches("chat/room", from: a)["a"]
        #expect(own?.qos == .atMostOnce)
        #expect(own?.subscriptionIdentifiers == [2])
        let other = tree.directMatches("chat/room", from: b)["a"]
        #expect(other?.qos == .exactlyOnce)
        #expect(Set(other?.subscriptionIdentifiers ?? []) == [1, 2])
    }

    @Test func noLocalDoesNotApplyToSharedSubscriptions() {
        var tree = Tree()
        tree.subscribe(a, to: filter("$share/g/chat"), options: options(noLocal: true), identifier: nil)
        let matches = tree.route("chat", from: a)
        #expect(matches.count == 1)
        #expect(matches.first?.subscriber === a)
        #expect(matches.first?.isShared == true)
    }

    // MARK: - Topics starting with $ (MQTT-4.7.2-1)

    @Test func wildcardFirstLevelDoesNotMatchSystemTopics() {
        var tree = Tree()
        tree.subscribe(a, to: filter("#"), options: options(), identifier: nil)
        tree.subscribe(b, to: filter("+/monitor/Clients"), options: options(), identifier: nil)
        tree.subscribe(c, to: filter("$SYS/#"), options: options(), identifier: nil)
        tree.subscribe(d, to: filter("$SYS/monitor/+"), options: options(), identifier: nil)
        tree.subscribe(d, to: filter("$share/g/#"), options: options(), identifier: nil)

        #expect(Set(tree.directMatches("$SYS/monitor/Clients").keys) == ["c", "d"])
        #expect(tree.route("$SYS/monitor/Clients").allSatisfy { !$0.isShared })
        #expect(Set(tree.directMatches("$SYS").keys) == ["c"])
        #expect(Set(tree.directMatches("SYS/monitor/Clients").keys) == ["a", "b"])
        #expect(tree.route("SYS/monitor/Clients").filter(\.isShared).count == 1)
        // Below the first level `$` is an ordinary character.
        #expect(Set(tree.directMatches("x/$SYS").keys) == ["a"])
    }

    // MARK: - Shared subscriptions (MQTT 5.0 §4.8.2)

    @Test func eachMessageGoesToOneMemberRoundRobin() {
        var tree = Tree()
        for member in [a, b, c] {
            tree.subscribe(member, to: filter("$share/workers/jobs/+"), options: options(.atLeastOnce), identifier: 9)
        }
        tree.subscribe(d, to: filter("$share/audit/jobs/#"), options: options(), identifier: nil)

        var received: [String: Int] = [:]
        for message in 0..<30 {
            let matches = tree.route("jobs/\(message)")
            #expect(matches.count == 2)
            #expect(matches.allSatisfy { $0.isShared })
            let workers = matches.filter { $0.subscriber !== d }
            #expect(workers.count == 1)
            #expect(workers.first?.qos == .atLeastOnce)
            #expect(workers.first?.subscriptionIdentifiers == [9])
            for match in matches {
                received[match.subscriber.name, default: 0] += 1
            }
        }
        #expect(received == ["a": 10, "b": 10, "c": 10, "d": 30])
    }

    @Test func consecutiveMessagesRotateThroughMembers() {
        var tree = Tree()
        for member in [a, b, c] {
            tree.subscribe(member, to: filter("$share/g/t"), options: options(), identifier: nil)
        }
        let order = (0..<6).map { _ in tree.route("t").first!.subscriber.name }
        #expect(Set(order[0..<3]) == ["a", "b", "c"])
        #expect(Array(order[3..<6]) == Array(order[0..<3]))
    }

    @Test func sharedAndOrdinarySubscriptionsOfOneSubscriberBothDeliver() {
        var tree = Tree()
        tree.subscribe(a, to: filter("$share/g/t"), options: options(.exactlyOnce), identifier: 1)
        tree.subscribe(a, to: filter("t"), options: options(.atMostOnce), identifier: 2)
        let matches = tree.route("t")
        #expect(matches.count == 2)
        let shared = matches.first { $0.isShared }
        let ordinary = matches.first { !$0.isShared }
        #expect(shared?.subscriber === a && ordinary?.subscriber === a)
        // The member's own options apply; they are not merged with the ordinary subscription.
        #expect(shared?.qos == .exactlyOnce && shared?.subscriptionIdentifiers == [1])
        #expect(ordinary?.qos == .atMostOnce && ordinary?.subscriptionIdentifiers == [2])
    }

    @Test func sameShareNameOnDifferentFiltersAreDifferentGroups() {
        var tree = Tree()
        tree.subscribe(a, to: filter("$share/g/t/+"), options: options(), identifier: nil)
        tree.subscribe(b, to: filter("$share/g/t/#"), options: options(), identifier: nil)
        let matches = tree.route("t/x")
        #expect(Set(matches.map(\.subscriber.name)) == ["a", "b"])
    }

    @Test func preferredMembersReceiveRoundRobin() {
        var tree = Tree()
        for member in [a, b, c, d] {
            tree.subscribe(member, to: filter("$share/g/t"), options: options(), identifier: nil)
        }
        let online: Set<String> = ["b", "d"]
        var received: [String: Int] = [:]
        for _ in 0..<20 {
            let matches = tree.route("t", preferring: { online.contains($0.name) })
            #expect(matches.count == 1)
            received[matches[0].subscriber.name, default: 0] += 1
        }
        #expect(received == ["b": 10, "d": 10])
    }

    @Test func withoutPreferredMembersAllTakeTurns() {
        var tree = Tree()
        for member in [a, b, c] {
            tree.subscribe(member, to: filter("$share/g/t"), options: options(), identifier: nil)
        }
        var received: [String: Int] = [:]
        for _ in 0..<12 {
            let matches = tree.route("t", preferring: { _ in false })
            #expect(matches.count == 1)
            received[matches[0].subscriber.name, default: 0] += 1
        }
        #expect(received == ["a": 4, "b": 4, "c": 4])
    }

    @Test func removedMembersNoLongerReceive() {
        var tree = Tree()
        for member in [a, b, c] {
            tree.subscribe(member, to: filter("$share/g/t"), options: options(), identifier: nil)
        }
        _ = tree.route("t")
        #expect(tree.unsubscribe(b, from: filter("$share/g/t")) == true)
        var received: [String: Int] = [:]
        for _ in 0..<10 {
            let matches = tree.route("t")
            #expect(matches.count == 1)
            received[matches[0].subscriber.name, default: 0] += 1
        }
        #expect(received == ["a": 5, "c": 5])

        tree.removeAll(of: a)
        #expect(tree.route("t").map(\.subscriber.name) == ["c"])
        #expect(tree.unsubscribe(c, from: filter("$share/g/t")) == true)
        #expect(tree.route("t").isEmpty)
        #expect(tree.nodeCount == 0)
    }

    // MARK: - Subscribe, unsubscribe, replace (MQTT-3.8.4-3)

    @Test func resubscribingReplacesTheSubscription() {
        var tree = Tree()
        #expect(tree.subscribe(a, to: filter("t/+"), options: options(.exactlyOnce), identifier: 1) == true)
        let replacement = options(.atMostOnce, retainAsPublished: true)
        #expect(tree.subscribe(a, to: filter("t/+"), options: replacement, identifier: nil) == false)
        #expect(tree.count == 1)
        let match = tree.directMatches("t/x")["a"]
        #expect(match?.qos == .atMostOnce)
        #expect(match?.subscriptionIdentifiers == [])
        #expect(match?.retainAsPublished == true)
        #expect(
            tree.subscriptions(of: a) == [
                Subscription(filter: filter("t/+"), options: options(.atMostOnce, retainAsPublished: true))
            ]
        )

        #expect(tree.subscribe(a, to: filter("$share/g/t/+"), options: options(), identifier: nil) == true)
        #expect(tree.subscribe(a, to: filter("$share/g/t/+"), options: options(.atLeastOnce), identifier: 4) == false)
        #expect(tree.count == 2)
        let shared = tree.route("t/x").first { $0.isShared }
        #expect(shared?.qos == .atLeastOnce)
        #expect(shared?.subscriptionIdentifiers == [4])
    }

    @Test func unsubscribeReportsWhetherTheSubscriptionExisted() {
        var tree = Tree()
        tree.subscribe(a, to: filter("t"), options: options(), identifier: nil)
        tree.subscribe(a, to: filter("$share/g/t"), options: options(), identifier: nil)
        #expect(tree.unsubscribe(b, from: filter("t")) == false)
        #expect(tree.unsubscribe(a, from: filter("t/#")) == false)
        #expect(tree.unsubscribe(a, from: filter("$share/h/t")) == false)
        #expect(tree.unsubscribe(a, from: filter("t")) == true)
        #expect(tree.unsubscribe(a, from: filter("t")) == false)
        #expect(tree.count == 1)
        #expect(tree.route("t").map(\.isShared) == [true])
        #expect(tree.unsubscribe(a, from: filter("$share/g/t")) == true)
        #expect(tree.count == 0)
        #expect(!tree.hasSubscriptions(of: a))
    }

    @Test func removeAllForgetsOneSubscriberOnly() {
        var tree = Tree()
        let filters = ["a/b", "a/+", "#", "$share/g/a/b", "$SYS/#"]
        for raw in filters {
            tree.subscribe(a, to: filter(raw), options: options(), identifier: nil)
        }
        tree.subscribe(b, to: filter("a/b"), options: options(), identifier: nil)
        tree.subscribe(b, to: filter("$share/g/a/b"), options: options(), identifier: nil)
        #expect(tree.count == 7)
        #expect(Set(tree.subscriptions(of: a).map(\.filter.raw)) == Set(filters))

        tree.removeAll(of: a)
        #expect(tree.count == 2)
        #expect(tree.subscriptions(of: a).isEmpty)
        #expect(!tree.hasSubscriptions(of: a))
        let matches = tree.route("a/b")
        #expect(matches.count == 2)
        #expect(matches.allSatisfy { $0.subscriber === b })
        tree.removeAll(of: a)  // nothing left to remove
        tree.removeAll(of: b)
        #expect(tree.isEmpty)
        #expect(tree.nodeCount == 0)
    }

    @Test func subscriptionsOfReportsOptionsAndIdentifiers() {
        var tree = Tree()
        tree.subscribe(a, to: filter("x/#"), options: options(.atLeastOnce, noLocal: true), identifier: 5)
        tree.subscribe(a, to: filter("$share/g/y"), options: options(.exactlyOnce), identifier: nil)
        let expected: Set<Subscription> = [
            Subscription(filter: filter("x/#"), options: options(.atLeastOnce, noLocal: true), identifier: 5),
            Subscription(filter: filter("$share/g/y"), options: options(.exactlyOnce), identifier: nil),
        ]
        #expect(Set(tree.subscriptions(of: a)) == expected)
        #expect(tree.subscriptions(of: b).isEmpty)
    }

    // MARK: - Pruning

    @Test func unsubscribingPrunesEmptyNodes() {
        var tree = Tree()
        let devices = 500
        for device in 0..<devices {
            let subscriber = TestSubscriber("device\(device)")
            tree.subscribe(
                subscriber,
                to: filter("site/\(device % 7)/generator/\(device)/commands"),
                options: options(),
                identifier: nil
            )
            tree.subscribe(
                subscriber,
                to: filter("site/\(device % 7)/generator/\(device)/#"),
                options: options(),
                identifier: nil
            )
            tree.subscribe(
                subscriber,
                to: filter("$share/g/site/+/generator/\(device)/+"),
                options: options(),
                identifier: nil
            )
            tree.removeAll(of: subscriber)
        }
        #expect(tree.nodeCount == 0)
        #expect(tree.count == 0)

        // Partial removal keeps exactly the nodes still needed.
        tree.subscribe(a, to: filter("x/y/z"), options: options(), identifier: nil)
        tree.subscribe(b, to: filter("x/y"), options: options(), identifier: nil)
        tree.subscribe(c, to: filter("x/+/#"), options: options(), identifier: nil)
        #expect(tree.nodeCount == 5)  // x, x/y, x/y/z, x/+, x/+/#
        tree.unsubscribe(a, from: filter("x/y/z"))
        #expect(tree.nodeCount == 4)
        tree.unsubscribe(b, from: filter("x/y"))
        #expect(tree.nodeCount == 3)
        tree.unsubscribe(c, from: filter("x/+/#"))
        #expect(tree.nodeCount == 0)

        // Freed nodes are reused and routing still works.
        tree.subscribe(a, to: filter("p/q"), options: options(), identifier: nil)
        #expect(tree.nodeCount == 2)
        #expect(tree.route("p/q").map(\.subscriber.name) == ["a"])
    }

    @Test func manySubscribersOnOneFilterComeAndGo() {
        var tree = Tree()
        let subscribers = (0..<100).map { TestSubscriber("s\($0)") }
        for subscriber in subscribers {
            tree.subscribe(subscriber, to: filter("hot/topic"), options: options(), identifier: nil)
        }
        #expect(tree.route("hot/topic").count == 100)
        for subscriber in subscribers.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) {
            #expect(tree.unsubscribe(subscriber, from: filter("hot/topic")) == true)
        }
        let remaining = Set(tree.route("hot/topic").map(\.subscriber.name))
        #expect(remaining == Set(subscribers.enumerated().filter { $0.offset % 2 == 1 }.map(\.element.name)))
        for subscriber in subscribers {
            tree.removeAll(of: subscriber)
        }
        #expect(tree.nodeCount == 0)
    }

    // MARK: - Concurrent readers

    @Test func concurrentMatchesSeeTheSameTree() async {
        var tree = Tree()
        let subscribers = (0..<50).map { TestSubscriber("s\($0)") }
        for (index, subscriber) in subscribers.enumerated() {
            tree.subscribe(
                subscriber,
                to: filter("site/\(index)/+/telemetry"),
                options: options(.atLeastOnce),
                identifier: UInt32(index + 1)
            )
            tree.subscribe(subscriber, to: filter("site/\(index)/#"), options: options(), identifier: nil)
            tree.subscribe(subscriber, to: filter("$share/g/site/+/x/telemetry"), options: options(), identifier: nil)
        }
        let frozen = tree
        let counts = await withTaskGroup(of: [String: Int].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var received: [String: Int] = [:]
                    var matches: [Tree.Match] = []
                    for round in 0..<500 {
                        let site = (round + task) % 50
                        matches.removeAll(keepingCapacity: true)
                        frozen.match(
                            topic: "site/\(site)/x/telemetry",
                            publisher: nil,
                            preferring: { _ in true },
                            into: &matches
                        )
                        let direct = matches.filter { !$0.isShared }
                        let shared = matches.filter(\.isShared)
                        guard direct.count == 1, direct[0].subscriber.name == "s\(site)",
                            direct[0].qos == .atLeastOnce, direct[0].subscriptionIdentifiers == [UInt32(site + 1)],
                            shared.count == 1
                        else {
                            received["wrong", default: 0] += 1
                            continue
                        }
                        received["shared", default: 0] += 1
                    }
                    return received
                }
            }
            var total: [String: Int] = [:]
            for await partial in group {
                total.merge(partial, uniquingKeysWith: +)
            }
            return total
        }
        #expect(counts == ["shared": 4000])
    }
}
