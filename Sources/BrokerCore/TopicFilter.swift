import MQTTCodec

/// A validated topic filter of a SUBSCRIBE or UNSUBSCRIBE (MQTT 5.0 §4.7), possibly a shared
/// subscription `$share/{ShareName}/{filter}` (§4.8.2).
///
/// Two filters are equal when their `raw` strings hold the same bytes: that string is the key of
/// a subscription (MQTT-3.8.4-3), and topics are never normalized (MQTT-4.7.3-4).
public struct TopicFilter: Sendable, Hashable, CustomStringConvertible {
    /// Exactly what the client sent, share prefix included.
    public let raw: String
    /// The ShareName of a shared subscription, nil for an ordinary one.
    public let shareName: String?
    /// The filter without the `$share/{ShareName}/` prefix; what topics are matched against.
    public let filter: String
    /// Whether `filter` contains `+` or `#`.
    public let hasWildcards: Bool
    /// The number of levels of `filter`.
    public let levelCount: Int

    /// Parses and validates a topic filter.
    ///
    /// Throws 0x8F Topic Filter invalid for a malformed filter or one beyond `limits`, 0x9E Shared
    /// Subscriptions not supported or 0xA2 Wildcard Subscriptions not supported when `limits`
    /// switches those off. `$share/…` is recognised whatever the protocol version, as most brokers do.
    public init(parsing raw: String, limits: TopicLimits = .default) throws(TopicFilterError) {
        let utf8 = raw.utf8
        guard !utf8.isEmpty else {
            throw .invalid("empty topic filter (MQTT-4.7.3-1)")
        }
        guard utf8.count <= limits.maximumLength else {
            throw .invalid("topic filter longer than \(limits.maximumLength) bytes (MQTT-4.7.3-3)")
        }

        var shareName: Substring?
        var filter = raw[...]
        if utf8.starts(with: Self.sharePrefix.utf8) {
            let nameStart = utf8.index(utf8.startIndex, offsetBy: Self.sharePrefix.utf8.count)
            guard let slash = utf8[nameStart...].firstIndex(of: TopicByte.slash) else {
                throw .invalid("no '/' and topic filter after the ShareName (MQTT-4.8.2-2)")
            }
            let name = raw[nameStart..<slash]
            guard !name.isEmpty else {
                throw .invalid("empty ShareName (MQTT-4.8.2-1)")
            }
            guard !name.utf8.contains(where: { $0 == TopicByte.plus || $0 == TopicByte.hash }) else {
                throw .invalid("ShareName contains '+' or '#' (MQTT-4.8.2-2)")
            }
            filter = raw[utf8.index(after: slash)...]
            guard !filter.isEmpty else {
                throw .invalid("empty topic filter after the ShareName (MQTT-4.8.2-2, MQTT-4.7.3-1)")
            }
            shareName = name
        }

        let syntax = Self.checkSyntax(of: filter)
        if let problem = syntax.problem {
            throw .invalid(problem)
        }
        guard syntax.levelCount <= limits.maximumLevels else {
            throw .invalid("topic filter has more than \(limits.maximumLevels) levels")
        }
        if syntax.hasWildcards && !limits.wildcardSubscriptionsAvailable {
            throw TopicFilterError(
                reasonCode: .wildcardSubscriptionsNotSupported,
                detail: "wildcard subscriptions are switched off (MQTT 5.0 §3.2.2.3.12)"
            )
        }
        if shareName != nil && !limits.sharedSubscriptionsAvailable {
            throw TopicFilterError(
                reasonCode: .sharedSubscriptionsNotSupported,
                detail: "shared subscriptions are switched off (MQTT 5.0 §3.2.2.3.14)"
            )
        }

        self.raw = raw
        self.shareName = shareName.map(String.init)
        self.filter = shareName == nil ? raw : String(filter)
        self.hasWildcards = syntax.hasWildcards
        self.levelCount = syntax.levelCount
    }

    /// Whether this is a shared subscription (`$share/…`).
    public var isShared: Bool { shareName != nil }

    /// The levels of `filter`, split at every `/` (empty levels included).
    public var levels: [Substring] {
        filter.utf8.split(separator: TopicByte.slash, omittingEmptySubsequences: false).map { Substring($0) }
    }

    public var description: String { raw }

    public static func == (lhs: Self, rhs: Self) -> Bool { utf8BytesEqual(lhs.raw, rhs.raw) }

    public func hash(into hasher: inout Hasher) { TopicKey(raw[...]).hash(into: &hasher) }

    /// The prefix of a shared subscription (MQTT 5.0 §4.8.2).
    static let sharePrefix = "$share/"

    /// The wildcard rules of MQTT 5.0 §4.7.1, applied to the filter without its share prefix.
    private static func checkSyntax(of filter: Substring) -> (problem: String?, levelCount: Int, hasWildcards: Bool) {
        filter.withUTF8Bytes { bytes in
            var levelCount = 1
            var levelStart = 0
            var hasWildcards = false
            for index in bytes.indices {
                switch bytes[index] {
                case TopicByte.slash:
                    levelCount += 1
                    levelStart = index + 1
                case TopicByte.plus:
                    let endsLevel = index + 1 == bytes.count || bytes[index + 1] == TopicByte.slash
                    guard index == levelStart && endsLevel else {
                        return ("'+' does not occupy an entire level (MQTT-4.7.1-2)", levelCount, hasWildcards)
                    }
                    hasWildcards = true
                case TopicByte.hash:
                    guard index == levelStart && index + 1 == bytes.count else {
                        return ("'#' is not alone in the last level (MQTT-4.7.1-1)", levelCount, hasWildcards)
                    }
                    hasWildcards = true
                case TopicByte.null:
                    return ("topic filter contains U+0000 (MQTT-4.7.3-2)", levelCount, hasWildcards)
                default:
                    continue
                }
            }
            return (nil, levelCount, hasWildcards)
        }
    }
}
