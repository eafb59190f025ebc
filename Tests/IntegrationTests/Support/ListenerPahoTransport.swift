/// How the paho puppet reaches the broker: plain TCP (the default), WebSocket on a path, and
/// either with TLS verified against a CA file (and a client certificate).
struct PahoTransport: Sendable {
    var webSocketPath: String?
    var caCertificate: String?
    var clientCertificate: String?
    var clientKey: String?

    static let tcp = PahoTransport()

    static func webSocket(path: String = "/mqtt") -> PahoTransport { PahoTransport(webSocketPath: path) }

    static func tls(ca: String, certificate: String? = nil, key: String? = nil) -> PahoTransport {
        PahoTransport(caCertificate: ca, clientCertificate: certificate, clientKey: key)
    }

    static func webSocketTLS(
        path: String = "/mqtt",
        ca: String,
        certificate: String? = nil,
        key: String? = nil
    ) -> PahoTransport {
        PahoTransport(webSocketPath: path, caCertificate: ca, clientCertificate: certificate, clientKey: key)
    }

    /// The `connect` command fields of `paho_puppet.py`.
    var commandFields: [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if let webSocketPath {
            fields["transport"] = "websockets"
            fields["ws_path"] = .string(webSocketPath)
        }
        if let caCertificate {
            var tls: [String: JSONValue] = ["ca_certs": .string(caCertificate)]
            if let clientCertificate { tls["certfile"] = .string(clientCertificate) }
            if let clientKey { tls["keyfile"] = .string(clientKey) }
            fields["tls"] = .object(tls)
        }
        return fields
    }
}
