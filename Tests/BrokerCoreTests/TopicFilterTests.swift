import BrokerCore
import MQTTCodec
import Testing

@Suite struct TopicFilterTests {
    // MARK: - Validation (MQTT 5.0 §4.7.1, §4.7.3, §4.8.2)

    struct ValidCase: Sendable, CustomTestStringConvertible {
        var raw: String
        var shareName: String?
        var filter: String
        var levels: [String]
        var hasWildcards: Bool
        var testDescription: String { raw }
    }

    @Test(arguments: [
        ValidCase(
            raw: "sport/tennis/player1/#",
            filter: "sport/tennis/player1/#",
            levels: ["sport", "tennis", "player1", "#"],
            hasWildcards: true
        ),
        ValidCase(raw: "sport/#", filter: "sport/#", levels: ["sport", "#"], hasWildcards: true),
        ValidCase(raw: "#", filter: "#", levels: ["#"], hasWildcards: true),
        ValidCase(
            raw: "sport/tennis/#",
            filter: "sport/tennis/#",
            levels: ["sport", "tennis", "#"],
            hasWildcards: true
        ),
        ValidCase(raw: "+", filter: "+", levels: ["+"], hasWildcards: true),
        ValidCase(raw: "+/tennis/#", filter: "+/tennis/#", levels: ["+", "tennis", "#"], hasWildcards: true),
        ValidCase(
            raw: "sport/+/player1",
            filter: "sport/+/player1",
            levels: ["sport", "+", "player1"],
            hasWildcards: true
        ),
        ValidCase(raw: "+/+", filter: "+/+", levels: ["+", "+"], hasWildcards: true),
        ValidCase(raw: "/+", filter: "/+", levels: ["", "+"], hasWildcards: true),
        ValidCase(raw: "/", filter: "/", levels: ["", ""], hasWildcards: false),
        ValidCase(raw: "a//b", filter: "a//b", levels: ["a", "", "b"], hasWildcards: false),
        ValidCase(raw: "$SYS/#", filter: "$SYS/#", levels: ["$SYS", "#"], hasWildcards: true),
        ValidCase(raw: "$share", filter: "$share", levels: ["$share"], hasWildcards: false),
        ValidCase(raw: "$shared/x", filter: "$shared/x", levels: ["$shared", "x"], hasWildcards: false),
        ValidCase(
            raw: "$share/consumer1/sport/tennis/+",
            shareName: "consumer1",
            filter: "sport/tennis/+",
            levels: ["sport", "tennis", "+"],
            hasWildcards: true
        ),
        ValidCase(raw: "$share/g/#", shareName: "g", filter: "#", levels: ["#"], hasWildcards: true),
        ValidCase(
            raw: "$share/g/$share/x",
            shareName: "g",
            filter: "$share/x",
            levels: ["$share", "x"],
            hasWildcards: false
        ),
        ValidCase(raw: "$share/g//", shareName: "g", filter: "/", levels: ["", ""], hasWildcards: false),
        ValidCase(raw: "$share/$g/a", shareName: "$g", filter: "a", levels: ["a"], hasWildcards: false),
    ])
    func validFilters(_ valid: ValidCase) throws {
        let parsed = try TopicFilter(parsing: valid.raw, limits: .default)
        #expect(parsed.raw == valid.raw)
        #expect(parsed.shareName == valid.shareName)
        #expect(parsed.isShared == (valid.shareName != nil))
        #expect(parsed.filter == valid.filter)
        #expect(parsed.levels.map(String.init) == valid.levels)
        #expect(parsed.levelCount == valid.levels.count)
        #expect(parsed.hasWildcards == valid.hasWildcards)
        #expect(parsed.description == valid.raw)
    }

    @Test(arguments: [
        "",  // MQTT-4.7.3-1
        "sport/tennis#",  // MQTT-4.7.1-1
        "sport/tennis/#/ranking",
        "##",
        "#/",
        "a/#/",
        "sport+",  // MQTT-4.7.1-2
        "+sport",
        "sport/+x/a",
        "++",
        "a\u{0}",  // MQTT-4.7.3-2
        "$share/",  // MQTT-4.8.2-1
        "$share//a",
        "$share/g",  // MQTT-4.8.2-2
        "$share/g/",
        "$share/g+/a",
        "$share/#/a",
        "$share/+/a",
        "$share/g/a#",
    ])
    func invalidFilters(_ raw: String) {
        expectRefused(raw)
    }

    @Test func lengthLimitCountsTheWholeFilter() throws {
        let limits = TopicLimits(maximumLength: 12)
        _ = try TopicFilter(parsing: "$share/g/a/b", limits: limits)
        _ = try TopicFilter(parsing: "0123456789é", limits: limits)
        expectRefused("$share/gg/a/b", limits: limits)
        expectRefused("0123456789ab/", limits: limits)
        expectRefused("0123456789aé", limits: limits)
    }

    @Test func levelLimitCountsTheFilterPart() throws {
        let limits = TopicLimits(maximumLevels: 2)
        _ = try TopicFilter(parsing: "abc/+", limits: limits)
        _ = try TopicFilter(parsing: "$share/g/a/#", limits: limits)
        expectRefused("$share/g/a/b/c", limits: limits)
        expectRefused("a/b/c", limits: limits)
        expectRefused("a//", limits: limits)
    }

    @Test func capabilitiesSwitchedOff() throws {
        let noShared = TopicLimits(sharedSubscriptionsAvailable: false)
        expectRefused("$share/g/a", limits: noShared, with: .sharedSubscriptionsNotSupported)
        _ = try TopicFilter(parsing: "a/+", limits: noShared)

        let noWildcards = TopicLimits(wildcardSubscriptionsAvailable: false)
        expectRefused("a/+", limits: noWildcards, with: .wildcardSubscriptionsNotSupported)
        expectRefused("$share/g/#", limits: noWildcards, with: .wildcardSubscriptionsNotSupported)
        _ = try TopicFilter(parsing: "$share/g/a", limits: noWildcards)

        // A malformed filter is reported as such even when the feature is off.
        expectRefused("a/b#", limits: noWildcards)
    }

    @Test func equalityIsByteWise() throws {
        let composed = try TopicFilter(parsing: "caf\u{E9}", limits: .default)
        let decomposed = try TopicFilter(parsing: "cafe\u{301}", limits: .default)
        // Swift's String == says these are equal; MQTT-4.7.3-4 says they are different filters.
        #expect(composed.raw == decomposed.raw)
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect(try TopicFilter(parsing: "a/+", limits: .default) == TopicFilter(parsing: "a/+", limits: .default))
        #expect(try TopicFilter(parsing: "$share/g/a", limits: .default) != TopicFilter(parsing: "a", limits: .default))
    }

    // MARK: - Matching (MQTT 5.0 §4.7.1.2, §4.7.1.3, §4.7.2, §4.7.3)

    struct MatchCase: Sendable, CustomTestStringConvertible {
        var filter: String
        var topic: String
        var matches: Bool
        var testDescription: String { "\(filter) \(matches ? "matches" : "does not match") \(topic)" }
    }

    @Test(arguments: [
        // §4.7.1.2 multi-level wildcard
        MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player1", matches: true),
        MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player1/ranking", matches: true),
        MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player1/score/wimbledon", matches: true),
        MatchCase(filter: "sport/tennis/player1/#", topic: "sport/tennis/player2", matches: false),
        MatchCase(filter: "sport/#", topic: "sport", matches: true),
        MatchCase(filter: "sport/#", topic: "sport/", matches: true),
        MatchCase(filter: "sport/#", topic: "sports", matches: false),
        MatchCase(filter: "#", topic: "sport/tennis", matches: true),
        MatchCase(filter: "#", topic: "/", matches: true),
        // §4.7.1.3 single-level wildcard
        MatchCase(filter: "sport/tennis/+", topic: "sport/tennis/player1", matches: true),
        MatchCase(filter: "sport/tennis/+", topic: "sport/tennis/player2", matches: true),
        MatchCase(filter: "sport/tennis/+", topic: "sport/tennis/player1/ranking", matches: false),
        MatchCase(filter: "sport/+", topic: "sport", matches: false),
        MatchCase(filter: "sport/+", topic: "sport/", matches: true),
        MatchCase(filter: "+/+", topic: "/finance", matches: true),
        MatchCase(filter: "/+", topic: "/finance", matches: true),
        MatchCase(filter: "+", topic: "/finance", matches: false),
        MatchCase(filter: "+", topic: "finance", matches: true),
        MatchCase(filter: "sport/+/player1", topic: "sport/tennis/player1", matches: true),
        MatchCase(filter: "sport/+/player1", topic: "sport//player1", matches: true),
        MatchCase(filter: "+/tennis/#", topic: "sport/tennis", matches: true),
        MatchCase(filter: "+/tennis/#", topic: "sport/tennis/x/y", matches: true),
        MatchCase(filter: "+/+/#", topic: "a", matches: false),
        MatchCase(filter: "+/#", topic: "a", matches: true),
        MatchCase(filter: "a/+/#", topic: "a/b", matches: true),
        // §4.7.2 topics beginning with $ (MQTT-4.7.2-1)
        MatchCase(filter: "#", topic: "$SYS/monitor/Clients", matches: false),
        MatchCase(filter: "+/monitor/Clients", topic: "$SYS/monitor/Clients", matches: false),
        MatchCase(filter: "+", topic: "$SYS", matches: false),
        MatchCase(filter: "$SYS/#", topic: "$SYS/monitor/Clients", matches: true),
        MatchCase(filter: "$SYS/#", topic: "$SYS", matches: true),
        MatchCase(filter: "$SYS/monitor/+", topic: "$SYS/monitor/Clients", matches: true),
        MatchCase(filter: "a/#", topic: "a/$b", matches: true),
        MatchCase(filter: "a/+", topic: "a/$b", matches: true),
        // §4.7.3 exact, case-sensitive, byte-wise (MQTT-4.7.3-4)
        MatchCase(filter: "ACCOUNTS", topic: "Accounts", matches: false),
        MatchCase(filter: "Accounts payable", topic: "Accounts payable", matches: true),
        MatchCase(filter: "/finance", topic: "finance", matches: false),
        MatchCase(filter: "caf\u{E9}", topic: "cafe\u{301}", matches: false),
        MatchCase(filter: "caf\u{E9}/+", topic: "caf\u{E9}/x", matches: true),
        MatchCase(filter: "a/b", topic: "a/b/c", matches: false),
        MatchCase(filter: "a/b/c", topic: "a/b", matches: false),
        MatchCase(filter: "a//b", topic: "a//b", matches: true),
        MatchCase(filter: "a//b", topic: "a/b", matches: false),
        // shared subscriptions match with the part after the ShareName
        MatchCase(filter: "$share/g/sport/+", topic: "sport/tennis", matches: true),
        MatchCase(filter: "$share/g/#", topic: "$SYS/x", matches: false),
        MatchCase(filter: "$share/g/#", topic: "$share/g/x", matches: false),
    ])
    func matching(_ example: MatchCase) throws {
        let parsed = try TopicFilter(parsing: example.filter, limits: .default)
        #expect(parsed.matches(topicName: example.topic) == example.matches)
    }
}

/// Expects `raw` to be refused with `code`.
func expectRefused(
    _ raw: String,
    limits: TopicLimits = .default,
    with code: MQTTReasonCode = .topicFilterInvalid,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let error = #expect(throws: TopicFilterError.self, sourceLocation: sourceLocation) {
        try TopicFilter(parsing: raw, limits: limits)
    }
    #expect(error?.reasonCode == code, sourceLocation: sourceLocation)
    #expect(error?.detail.isEmpty == false, sourceLocation: sourceLocation)
}
