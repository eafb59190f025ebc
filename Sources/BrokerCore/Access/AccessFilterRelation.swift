/// How two MQTT topic filters relate, level by level (MQTT 5.0 §4.7), for ACL checks of
/// SUBSCRIBE: an allow rule must *cover* the requested filter (every topic the subscription can
/// receive is allowed); a deny rule applies as soon as the two *overlap*.
enum AccessFilterRelation {
    /// Whether every topic name matched by `filter` is matched by `rule`.
    static func covers(_ rule: String, _ filter: String) -> Bool {
        let ruleLevels = rule.split(separator: "/", omittingEmptySubsequences: false)
        let levels = filter.split(separator: "/", omittingEmptySubsequences: false)
        // MQTT-4.7.2-1: a rule starting with a wildcard does not match `$` topics.
        if isWildcard(ruleLevels[0]), levels[0].hasPrefix("$") { return false }
        var index = 0
        while index < ruleLevels.count {
            let ruleLevel = ruleLevels[index]
            if ruleLevel == "#" { return true }  // `a/#` also matches `a` itself (§4.7.1.2)
            guard index < levels.count else { return false }
            let level = levels[index]
            if level == "#" { return false }  // the filter reaches deeper than a `+` or a literal
            if ruleLevel == "+" {
                index += 1
                continue
            }
            guard level != "+", level == ruleLevel else { return false }
            index += 1
        }
        return index == levels.count
    }

    /// Whether some topic name is matched by both filters.
    static func overlaps(_ first: String, _ second: String) -> Bool {
        let a = first.split(separator: "/", omittingEmptySubsequences: false)
        let b = second.split(separator: "/", omittingEmptySubsequences: false)
        if isWildcard(a[0]), b[0].hasPrefix("$") { return false }
        if isWildcard(b[0]), a[0].hasPrefix("$") { return false }
        var index = 0
        while index < a.count, index < b.count {
            if a[index] == "#" || b[index] == "#" { return true }
            if a[index] != "+", b[index] != "+", a[index] != b[index] { return false }
            index += 1
        }
        if a.count == b.count { return true }
        // One ended: the other still matches when all it has left is `#` (`a/#` matches `a`).
        let longer = a.count > b.count ? a : b
        return longer.count == index + 1 && longer[index] == "#"
    }

    private static func isWildcard(_ level: Substring) -> Bool { level == "+" || level == "#" }
}
