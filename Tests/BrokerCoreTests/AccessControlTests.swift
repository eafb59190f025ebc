import Testing

@testable import BrokerCore

/// ACL evaluation: first match wins, %c/%u substitution that cannot widen access, wildcard
/// rules, coverage for SUBSCRIBE.
@Suite struct AccessControlTests {
    static let perDevice: [AccessRule] = [
        AccessRule(.allow, [.publish, .subscribe], topic: "devices/%c/#"),
        AccessRule(.allow, [.subscribe], topic: "users/%u/+/inbox"),
        AccessRule(.deny, [.subscribe], topic: "#"),
        AccessRule(.allow, [.publish], topic: "telemetry/+"),
    ]

    @Test func noRulesAllowEverything() {
        let access = ClientAccess(rules: [], clientID: "a", username: nil)
        #expect(access.allowsEverything)
        #expect(access.publish("any/topic").allowed)
        #expect(access.subscribe("#").allowed)
    }

    @Test func aClientPublishesUnderItsOwnIdOnly() {
        let access = ClientAccess(rules: Self.perDevice, clientID: "dev-1", username: "alice")
        #expect(access.publish("devices/dev-1/status") == .init(allowed: true, ruleIndex: 0))
        #expect(access.publish("devices/dev-1") == .init(allowed: true, ruleIndex: 0))  // `#` matches the parent
        #expect(access.publish("devices/dev-2/status") == .init(allowed: false, ruleIndex: nil))
        #expect(access.publish("telemetry/x") == .init(allowed: true, ruleIndex: 3))
        #expect(!access.publish("telemetry/x/y").allowed)
    }

    @Test func firstMatchWins() {
        let rules = [
            AccessRule(.deny, [.publish], topic: "a/secret"),
            AccessRule(.allow, [.publish], topic: "a/#"),
        ]
        let access = ClientAccess(rules: rules, clientID: "c", username: nil)
        #expect(access.publish("a/secret") == .init(allowed: false, ruleIndex: 0))
        #expect(access.publish("a/public") == .init(allowed: true, ruleIndex: 1))
        let reversed = ClientAccess(rules: rules.reversed(), clientID: "c", username: nil)
        #expect(reversed.publish("a/secret") == .init(allowed: true, ruleIndex: 0))
    }

    @Test func rulesOnlyApplyToTheirActions() {
        let access = ClientAccess(rules: [AccessRule(.allow, [.subscribe], topic: "#")], clientID: "c", username: nil)
        #expect(access.subscribe("x/y").allowed)
        #expect(!access.publish("x/y").allowed)
    }

    @Test(arguments: ["+", "#", "a/b", "", "dev+", "x#"])
    func anIdentifierWithWildcardsOrSlashesNeverWidensAnAllow(clientID: String) {
        let access = ClientAccess(rules: Self.perDevice, clientID: clientID, username: clientID)
        #expect(!access.publish("devices/other/status").allowed)
        #expect(!access.publish("devices/\(clientID)/status").allowed)
        #expect(!access.subscribe("devices/other/#").allowed)
        #expect(!access.subscribe("users/other/x/inbox").allowed)
    }

    @Test func anUnsafeSubstitutionMakesADenyApply() {
        let rules = [
            AccessRule(.deny, [.publish], topic: "devices/%c/admin"),
            AccessRule(.allow, [.publish], topic: "#"),
        ]
        #expect(ClientAccess(rules: rules, clientID: "dev-1", username: nil).publish("devices/x/admin").allowed)
        #expect(!ClientAccess(rules: rules, clientID: "+", username: nil).publish("devices/x/admin").allowed)
    }

    @Test func aMissingUserNameDoesNotMatchPercentU() {
        let access = ClientAccess(rules: Self.perDevice, clientID: "c", username: nil)
        #expect(!access.subscribe("users/alice/x/inbox").allowed)
        let alice = ClientAccess(rules: Self.perDevice, clientID: "c", username: "alice")
        #expect(alice.subscribe("users/alice/x/inbox").allowed)
        #expect(alice.subscribe("users/alice/+/inbox").allowed)
        #expect(!alice.subscribe("users/alice/#").allowed)
    }

    @Test func aSubscriptionMustBeCoveredByAnAllowRule() {
        let access = ClientAccess(rules: Self.perDevice, clientID: "dev-1", username: nil)
        #expect(access.subscribe("devices/dev-1/#").allowed)
        #expect(access.subscribe("devices/dev-1/+/x").allowed)
        #expect(access.subscribe("devices/dev-1").allowed)
        #expect(access.subscribe("devices/+/status") == .init(allowed: false, ruleIndex: 2))
        #expect(access.subscribe("#") == .init(allowed: false, ruleIndex: 2))
    }

    @Test func coverage() {
        #expect(AccessFilterRelation.covers("#", "a/b/c"))
        #expect(AccessFilterRelation.covers("a/#", "a"))
        #expect(AccessFilterRelation.covers("a/#", "a/+/#"))
        #expect(AccessFilterRelation.covers("a/+", "a/+"))
        #expect(AccessFilterRelation.covers("a/+", "a/b"))
        #expect(AccessFilterRelation.covers("a/b", "a/b"))
        #expect(!AccessFilterRelation.covers("a/+", "a/#"))
        #expect(!AccessFilterRelation.covers("a/b", "a/+"))
        #expect(!AccessFilterRelation.covers("a/+", "a/b/c"))
        #expect(!AccessFilterRelation.covers("a/b/c", "a/b"))
        #expect(!AccessFilterRelation.covers("#", "$SYS/#"))
        #expect(!AccessFilterRelation.covers("+/x", "$SYS/x"))
        #expect(AccessFilterRelation.covers("$SYS/#", "$SYS/broker/uptime"))
    }

    @Test func overlap() {
        #expect(AccessFilterRelation.overlaps("a/secret", "a/#"))
        #expect(AccessFilterRelation.overlaps("a/+", "+/b"))
        #expect(AccessFilterRelation.overlaps("a/#", "a"))
        #expect(AccessFilterRelation.overlaps("a", "a/#"))
        #expect(!AccessFilterRelation.overlaps("a/b", "a/c"))
        #expect(!AccessFilterRelation.overlaps("a/b", "a/b/c"))
        #expect(!AccessFilterRelation.overlaps("#", "$SYS/x"))
    }

    @Test func aDenyRuleAppliesToOverlappingSubscriptions() {
        let rules = [
            AccessRule(.deny, [.subscribe], topic: "a/secret"),
            AccessRule(.allow, [.subscribe], topic: "#"),
        ]
        let access = ClientAccess(rules: rules, clientID: "c", username: nil)
        #expect(!access.subscribe("a/#").allowed)
        #expect(!access.subscribe("+/secret").allowed)
        #expect(access.subscribe("a/public").allowed)
    }

    @Test func patternsAreValidated() {
        #expect(AccessPattern.validate("devices/%c/#") == nil)
        #expect(AccessPattern.validate("users/%u/+") == nil)
        #expect(AccessPattern.validate("a/#/b") != nil)
        #expect(AccessPattern.validate("$share/g/a") != nil)
        #expect(AccessPattern.validate("") != nil)
    }

    @Test func substitution() {
        #expect(AccessPattern.substitute("d/%c/%u/100%", clientID: "c1", username: "u1") == "d/c1/u1/100%")
        #expect(AccessPattern.substitute("d/%x", clientID: "c1", username: nil) == "d/%x")
        #expect(AccessPattern.substitute("d/%u", clientID: "c1", username: nil) == nil)
        #expect(AccessPattern.substitute("d/%c", clientID: "a/b", username: nil) == nil)
    }
}
