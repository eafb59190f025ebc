/// Sizes fixed by the wire format, each with the section that fixes it.
enum MQTTLimits {
    /// The largest value a Variable Byte Integer holds: four bytes of seven bits (MQTT 5.0 §1.5.5,
    /// MQTT 3.1.1 §2.2.3).
    static let maximumVariableByteInteger = 268_435_455

    /// A Variable Byte Integer has at most four bytes (MQTT 5.0 §1.5.5).
    static let maximumVariableByteIntegerLength = 4

    /// UTF-8 Encoded Strings and Binary Data carry a Two Byte Integer length (MQTT 5.0 §1.5.4, §1.5.6).
    static let maximumStringLength = 65_535

    /// Subscription Identifiers range over 1...268,435,455 (MQTT 5.0 §3.8.2.1.2).
    static let subscriptionIdentifierRange: ClosedRange<UInt32> = 1...268_435_455

    /// The 3.1/3.1.1 connect return codes are 0...5; 6...255 are reserved (MQTT 3.1.1 §3.2.2.3).
    static let maximumConnectReturnCode: UInt8 = 5
}
