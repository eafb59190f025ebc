import MQTTCodec

/// How the server answered a PUBLISH of ``MQTTClient``.
///
/// Failure reason codes (0x80 and above, for example 0x87 Not authorized or 0x97 Quota exceeded
/// in MQTT 5.0) are reported here rather than thrown: the protocol exchange itself completed and
/// the caller decides what the code means (a bridge retries on 0x97, a test expects 0x87). Only
/// failures that leave the outcome unknown, or that kept the message from being sent, are thrown.
public struct PublishResult: Sendable, Hashable {
    /// The packet identifier the message used; nil at QoS 0.
    public var packetID: UInt16?
    /// The reason code of the PUBACK (QoS 1), of a failed PUBREC or of the PUBCOMP (QoS 2);
    /// always `.success` at QoS 0 and in MQTT 3.1.1.
    public var reasonCode: MQTTReasonCode
    /// The properties of that acknowledgement (Reason String, User Properties; MQTT 5.0).
    public var properties: MQTTProperties

    /// Creates a result.
    public init(packetID: UInt16?, reasonCode: MQTTReasonCode = .success, properties: MQTTProperties = []) {
        self.packetID = packetID
        self.reasonCode = reasonCode
        self.properties = properties
    }

    /// Whether the server accepted the message (a reason code below 0x80).
    public var isSuccess: Bool { !self.reasonCode.isFailure }
}
