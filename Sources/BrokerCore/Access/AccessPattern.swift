/// The topic of an `AccessRule` with `%c` / `%u` replaced for one client.
///
/// A client identifier or user name is chosen by the client (or its operator), so it must never
/// widen what a rule covers: a value that is empty or contains `+`, `#` or `/` would turn
/// `devices/%c/#` into a wildcard or a different depth. Such a substitution is *unsafe*; the
/// evaluator then skips an allow rule and applies a deny rule (see `ClientAccess`).
public enum AccessPattern {
    /// The rule topic for this client, or nil when a substitution is unsafe (or `%u` is used and
    /// the client has no user name).
    public static func substitute(_ pattern: String, clientID: String, username: String?) -> String? {
        guard pattern.contains("%") else { return pattern }
        var result = ""
        result.reserveCapacity(pattern.utf8.count + clientID.utf8.count)
        var iterator = pattern.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "c":
                guard isSafe(clientID) else { return nil }
                result += clientID
            case "u":
                guard let username, isSafe(username) else { return nil }
                result += username
            case let other?:
                result.append("%")
                result.append(other)
            case nil:
                result.append("%")
            }
        }
        return result
    }

    /// Whether a client-chosen value may be put into a topic filter.
    static func isSafe(_ value: String) -> Bool {
        !value.isEmpty
            && !value.utf8.contains {
                $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "/") || $0 == 0
            }
    }

    /// Why a rule topic is unusable, or nil when it is a valid topic filter once substituted.
    public static func validate(_ pattern: String) -> String? {
        guard let sample = substitute(pattern, clientID: "client", username: "user") else {
            return "cannot substitute"
        }
        let filter: TopicFilter
        do {
            filter = try TopicFilter(parsing: sample)
        } catch {
            return error.detail
        }
        if filter.isShared {
            return "a rule names topics, not a shared subscription ($share/...)"
        }
        return nil
    }
}
