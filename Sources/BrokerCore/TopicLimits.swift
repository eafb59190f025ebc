/// Server-side limits and capabilities applied when topic names and topic filters are validated.
///
/// The protocol caps a topic at 65,535 bytes (it is a UTF-8 Encoded String, MQTT 5.0 §1.5.4,
/// MQTT-4.7.3-3) and puts no limit on the number of levels; a broker sets tighter limits so that
/// one client cannot make the subscription tree arbitrarily deep.
public struct TopicLimits: Sendable, Hashable {
    /// The longest topic name or topic filter accepted, in UTF-8 bytes. For a shared subscription
    /// the whole filter, `$share/{ShareName}/` included, counts.
    public var maximumLength: Int
    /// The most levels (`/`-separated parts) a topic name or filter may have. For a shared
    /// subscription only the levels of the filter after the share name count.
    public var maximumLevels: Int
    /// Whether `$share/…` filters are accepted; when false they fail with 0x9E Shared
    /// Subscriptions not supported (MQTT 5.0 §3.2.2.3.14, §4.8.2).
    public var sharedSubscriptionsAvailable: Bool
    /// Whether filters with `+` or `#` are accepted; when false they fail with 0xA2 Wildcard
    /// Subscriptions not supported (MQTT 5.0 §3.2.2.3.12).
    public var wildcardSubscriptionsAvailable: Bool

    /// The largest length the protocol can carry (a Two Byte Integer length prefix).
    public static let protocolMaximumLength = 65_535

    /// Limits with the protocol's defaults for anything not given.
    public init(
        maximumLength: Int = Self.protocolMaximumLength,
        maximumLevels: Int = 128,
        sharedSubscriptionsAvailable: Bool = true,
        wildcardSubscriptionsAvailable: Bool = true
    ) {
        self.maximumLength = maximumLength
        self.maximumLevels = maximumLevels
        self.sharedSubscriptionsAvailable = sharedSubscriptionsAvailable
        self.wildcardSubscriptionsAvailable = wildcardSubscriptionsAvailable
    }

    /// The protocol's own limits, with a level cap of 128.
    public static let `default` = TopicLimits()
}
