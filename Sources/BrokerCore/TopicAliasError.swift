import MQTTCodec

/// Why a PUBLISH's Topic Name and Topic Alias could not be resolved (MQTT 5.0 §3.3.2.3.4). The
/// server answers with DISCONNECT carrying `reasonCode`.
public struct TopicAliasError: Error, Hashable, CustomStringConvertible {
    /// 0x94 Topic Alias invalid or 0x82 Protocol Error.
    public var reasonCode: MQTTReasonCode
    /// What exactly was wrong, with the spec rule; for logs and the Reason String.
    public var detail: String

    /// An error with its reason code and a detail for logs.
    public init(reasonCode: MQTTReasonCode, detail: String) {
        self.reasonCode = reasonCode
        self.detail = detail
    }

    public var description: String { "\(detail) [\(reasonCode)]" }
}
