/// The protocol level a client announces in CONNECT (MQTT 5.0 §3.1.2.2, MQTT 3.1.1 §3.1.2.2).
///
/// MQTT 3.1 used the protocol name `MQIsdp` with level 3; 3.1.1 and 5.0 use `MQTT` with levels 4 and 5.
public enum MQTTProtocolVersion: UInt8, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
    case v3_1 = 3
    case v3_1_1 = 4
    case v5 = 5

    /// The protocol name that goes with the level on the wire.
    public var protocolName: String {
        switch self {
        case .v3_1: "MQIsdp"
        case .v3_1_1, .v5: "MQTT"
        }
    }

    /// Whether packets carry MQTT 5 properties and reason codes.
    @inlinable
    public var hasProperties: Bool { self == .v5 }

    public var description: String {
        switch self {
        case .v3_1: "3.1"
        case .v3_1_1: "3.1.1"
        case .v5: "5.0"
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
