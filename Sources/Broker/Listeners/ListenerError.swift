/// A listener could not be set up; `MQTTBroker.start()` throws it and binds nothing.
public struct ListenerError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// A certificate file (`cert` or `ca`) is missing, unreadable or holds no PEM certificate.
        case certificateUnreadable
        /// The private key file (`key`) is missing, unreadable or not a PEM private key.
        case privateKeyUnreadable
        /// The certificate and the key do not make a usable TLS context (most often: the key
        /// does not belong to the certificate).
        case keyDoesNotMatchCertificate
        /// `require-client-cert` or `use-identity-as-username` without a `ca` to verify against.
        case certificateAuthorityRequired
        /// A WebSocket `path` that does not start with `/`.
        case invalidPath
    }

    public var code: Code
    /// The listener, as `kind host:port` (`tls 0.0.0.0:8883`).
    public var listener: String
    /// The file at fault, when there is one.
    public var file: String?
    public var message: String

    public init(_ code: Code, listener: String, file: String? = nil, _ message: String) {
        self.code = code
        self.listener = listener
        self.file = file
        self.message = message
    }

    /// Configuration errors do not go away by retrying.
    public var isRetriable: Bool { false }

    public var description: String {
        var text = "listener \(listener): \(message)"
        if let file { text += " (file: \(file))" }
        return text
    }
}
