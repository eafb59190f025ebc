import NIOSSL

/// What the transport under an MQTT connection established about its peer, before any MQTT
/// packet arrived. `MQTTConnectionHandler` receives it at creation and never looks at the
/// pipeline below it: it only deals in MQTT bytes.
public struct TransportIdentity: Sendable, Hashable {
    /// The listener kind a connection came through; also the `kind=` metadata of its log lines.
    public enum Transport: String, Sendable, Hashable {
        case tcp
        case tls
        case webSocket = "ws"
        case webSocketTLS = "wss"
    }

    public var transport: Transport
    /// Common Name of the client certificate, present only when the certificate was verified
    /// against the listener's `ca` during the TLS handshake.
    public var certificateCommonName: String?
    /// The user name the transport vouches for: the verified certificate's Common Name when the
    /// listener has `use-identity-as-username`, else nil. When set, authentication uses it in
    /// place of the CONNECT user name and needs no password (as Mosquitto's
    /// `use_identity_as_username`).
    public var authenticatedUsername: String?

    public init(_ transport: Transport, certificateCommonName: String? = nil, authenticatedUsername: String? = nil) {
        self.transport = transport
        self.certificateCommonName = certificateCommonName
        self.authenticatedUsername = authenticatedUsername
    }

    /// A TLS connection's identity from its handshake.
    ///
    /// - Parameters:
    ///   - peerCertificate: the client's leaf certificate as NIOSSL reports it after the handshake.
    ///   - verified: whether the listener verified presented certificates against its `ca`
    ///     (NIOSSL only hands out a peer certificate that passed when verification is on).
    init(
        _ transport: Transport,
        peerCertificate: NIOSSLCertificate?,
        verified: Bool,
        commonNameIsUsername: Bool
    ) {
        self.transport = transport
        guard verified, let peerCertificate, let commonName = Self.commonName(of: peerCertificate) else {
            return
        }
        self.certificateCommonName = commonName
        self.authenticatedUsername = commonNameIsUsername ? commonName : nil
    }

    /// The subject's Common Name; with several, the most significant (last) one, as NIOSSL's own
    /// host name check does. An empty CN counts as none.
    static func commonName(of certificate: NIOSSLCertificate) -> String? {
        let name = certificate.subjectName.last { $0.type == .commonName }?.value
        return name?.isEmpty == false ? name : nil
    }
}

extension BrokerConfiguration.Listener.Kind {
    /// The transport this kind of listener carries MQTT over.
    var transport: TransportIdentity.Transport {
        switch self {
        case .tcp: .tcp
        case .tls: .tls
        case .webSocket: .webSocket
        case .webSocketTLS: .webSocketTLS
        }
    }
}

extension BrokerConfiguration.Listener {
    /// `kind host:port`, for logs and errors.
    var label: String { "\(kind.transport.rawValue) \(host):\(port)" }
}
