/// SASL authentication for broker connections (KIP-43 handshake, KIP-152 SaslAuthenticate).
public enum KafkaSASLMechanism: Sendable, Hashable {
    /// PLAIN (RFC 4616): user name and password in clear text — use it only over TLS.
    case plain(username: String, password: String)
    /// SCRAM-SHA-256 (RFC 5802, RFC 7677).
    case scramSHA256(username: String, password: String)
    /// SCRAM-SHA-512 (RFC 5802).
    case scramSHA512(username: String, password: String)

    /// The mechanism name sent in SaslHandshake.
    public var name: String {
        switch self {
        case .plain: return "PLAIN"
        case .scramSHA256: return "SCRAM-SHA-256"
        case .scramSHA512: return "SCRAM-SHA-512"
        }
    }
}
