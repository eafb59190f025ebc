/// Evaluates the `acl:` rules for one client (MQTT has no wire rules for this; the semantics
/// are Tributary's, documented in docs/security.md).
///
/// - Rules are tried in order; the first that matches decides.
/// - No rules at all: everything is allowed. Otherwise nothing matching: denied.
/// - PUBLISH: a rule matches when its topic filter matches the topic name.
/// - SUBSCRIBE: an allow rule matches when its filter covers the requested filter (every topic
///   the subscription could receive is allowed); a deny rule matches when the filters overlap.
/// - `%c` / `%u` are replaced by the client identifier / user name once, at CONNECT. An unsafe
///   value (empty, or containing `+`, `#`, `/`) makes an allow rule not match and a deny rule
///   match, so a chosen identifier can never widen access.
public struct ClientAccess: Sendable {
    /// The outcome of a check, with the rule that decided it (for logs).
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        /// Index in `acl:` of the deciding rule; nil when no rule matched (or there are none).
        public var ruleIndex: Int?

        public init(allowed: Bool, ruleIndex: Int?) {
            self.allowed = allowed
            self.ruleIndex = ruleIndex
        }
    }

    private struct Entry: Sendable {
        var effect: AccessRule.Effect
        var actions: Set<AccessRule.Action>
        /// The substituted filter; nil when the substitution was unsafe.
        var filter: String?
    }

    private let entries: [Entry]

    /// Resolves `rules` for one connected client.
    public init(rules: [AccessRule], clientID: String, username: String?) {
        entries = rules.map { rule in
            Entry(
                effect: rule.effect,
                actions: rule.actions,
                filter: AccessPattern.substitute(rule.topic, clientID: clientID, username: username)
            )
        }
    }

    /// True when there are no rules: no check is needed.
    public var allowsEverything: Bool { entries.isEmpty }

    /// May the client publish to `topicName`?
    public func publish(_ topicName: String) -> Decision {
        decide(.publish) { TopicFilter.matches(filter: $0, topicName: topicName) }
    }

    /// May the client subscribe to `filter` (without its `$share/{name}/` prefix)?
    public func subscribe(_ filter: String) -> Decision {
        decide(.subscribe) { rule, effect in
            effect == .allow ? AccessFilterRelation.covers(rule, filter) : AccessFilterRelation.overlaps(rule, filter)
        }
    }

    /// May a message on `topicName` be delivered to the client? Checked at delivery so that a
    /// session resumed under another identity (another user name for `%u`) does not keep
    /// receiving what its subscriptions were granted for. For subscriptions granted under the
    /// same rules this is always true: a granted filter's topics all meet an allow rule first.
    public func receive(_ topicName: String) -> Decision {
        decide(.subscribe) { TopicFilter.matches(filter: $0, topicName: topicName) }
    }

    private func decide(_ action: AccessRule.Action, matches: (String) -> Bool) -> Decision {
        decide(action) { rule, _ in matches(rule) }
    }

    private func decide(
        _ action: AccessRule.Action,
        matches: (String, AccessRule.Effect) -> Bool
    ) -> Decision {
        guard !entries.isEmpty else { return Decision(allowed: true, ruleIndex: nil) }
        for (index, entry) in entries.enumerated() where entry.actions.contains(action) {
            guard let filter = entry.filter else {
                // Unsafe substitution: never let it allow; always let it deny.
                if entry.effect == .deny { return Decision(allowed: false, ruleIndex: index) }
                continue
            }
            if matches(filter, entry.effect) {
                return Decision(allowed: entry.effect == .allow, ruleIndex: index)
            }
        }
        return Decision(allowed: false, ruleIndex: nil)
    }
}
