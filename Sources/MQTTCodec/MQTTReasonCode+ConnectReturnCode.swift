extension MQTTReasonCode {
    /// The MQTT 3.1/3.1.1 connect return code that says what this 5.0 CONNACK reason code says
    /// (MQTT 3.1.1 §3.2.2.3, Table 3.1), or `nil` when 3.1.1 has none.
    ///
    /// | 5.0 reason code | 3.1.1 return code |
    /// | --- | --- |
    /// | 0x00 Success | 0 Connection Accepted |
    /// | 0x84 Unsupported Protocol Version | 1 unacceptable protocol version |
    /// | 0x85 Client Identifier not valid | 2 identifier rejected |
    /// | 0x80, 0x83, 0x88, 0x89, 0x8B, 0x97, 0x9C, 0x9D, 0x9F (the server cannot take the connection now) | 3 Server unavailable |
    /// | 0x86 Bad User Name or Password, 0x8C Bad authentication method | 4 bad user name or password |
    /// | 0x87 Not authorized, 0x8A Banned | 5 not authorized |
    ///
    /// The remaining codes (0x81, 0x82, 0x90, 0x95, 0x99, 0x9A, 0x9B, ...) have no 3.1.1 answer:
    /// "If none of the return codes listed in Table 3.1 are deemed applicable, then the Server MUST
    /// close the Network Connection without sending a CONNACK" (MQTT 3.1.1, MQTT-3.2.2-6).
    public var connectReturnCode: UInt8? {
        switch self.rawValue {
        case 0x00: 0
        case 0x84: 1
        case 0x85: 2
        case 0x80, 0x83, 0x88, 0x89, 0x8B, 0x97, 0x9C, 0x9D, 0x9F: 3
        case 0x86, 0x8C: 4
        case 0x87, 0x8A: 5
        default: nil
        }
    }

    /// The 5.0 reason code for a 3.1/3.1.1 connect return code; `nil` for the reserved codes
    /// 6...255 (MQTT 3.1.1 §3.2.2.3).
    public init?(connectReturnCode: UInt8) {
        switch connectReturnCode {
        case 0: self = .success
        case 1: self = .unsupportedProtocolVersion
        case 2: self = .clientIdentifierNotValid
        case 3: self = .serverUnavailable
        case 4: self = .badUserNameOrPassword
        case 5: self = .notAuthorized
        default: return nil
        }
    }
}
