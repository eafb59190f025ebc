import MQTTCodec

/// Why a topic filter was refused.
public struct TopicFilterError: Error, Hashable, CustomStringConvertible {
    /// The reason code for the SUBACK (or UNSUBACK) entry: 0x8F Topic Filter invalid, 0x9E Shared
    /// Subscriptions not supported or 0xA2 Wildcard Subscriptions not supported.
    public var reasonCode: MQTTReasonCode
    /// What exactly was wrong, with the spec rule; for logs and Reason Strings.
    public var detail: String

    /// An error with its reason code and a detail for logs.
    public init(reasonCode: MQTTReasonCode, detail: String) {
        self.reasonCode = reasonCode
        self.detail = detail
    }

    public var description: String { "\(detail) [\(reasonCode)]" }

    static func invalid(_ detail: String) -> Self { Self(reasonCode: .topicFilterInvalid, detail: detail) }
}
