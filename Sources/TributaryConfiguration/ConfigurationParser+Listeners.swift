import Broker
import Yams

extension ConfigurationParser {
    static let listenerKeys: [String: [String]] = [
        "tcp": ["type", "bind"],
        "tls": ["type", "bind", "cert", "key", "ca", "require-client-cert", "use-identity-as-username"],
        "ws": ["type", "bind", "path"],
        "wss": ["type", "bind", "path", "cert", "key", "ca", "require-client-cert", "use-identity-as-username"],
    ]
    static let allListenerKeys = [
        "type", "bind", "path", "cert", "key", "ca", "require-client-cert", "use-identity-as-username", "ingest-only",
    ]

    /// `listeners:`: a non-empty list of `{ type, bind, ... }`.
    func parseListeners(_ node: Node, _ path: String) -> [BrokerConfiguration.Listener] {
        guard let elements = reader.list(node, path) else { return BrokerConfiguration().listeners }
        if elements.isEmpty {
            reader.report(node, path, "at least one listener is needed")
        }
        var listeners: [BrokerConfiguration.Listener] = []
        var binds: [HostAndPort: String] = [:]
        for (index, element) in elements.enumerated() {
            let elementPath = "\(path)[\(index)]"
            guard let listener = parseListener(element, elementPath) else { continue }
            let bind = HostAndPort(host: listener.host, port: listener.port)
            if let other = binds[bind] {
                reader.report(element, "\(elementPath).bind", "\(bind) is already used by \(other)")
            }
            binds[bind] = elementPath
            listeners.append(listener)
        }
        return listeners
    }

    private func parseListener(_ node: Node, _ path: String) -> BrokerConfiguration.Listener? {
        // Read `type` first so that keys are checked against what this kind of listener takes.
        var type = "tcp"
        if case .mapping(let mapping) = node, let typeNode = mapping["type"] {
            guard let text = reader.string(typeNode, "\(path).type") else { return nil }
            guard Self.listenerKeys[text] != nil else {
                reader.report(
                    typeNode,
                    "\(path).type",
                    "unknown listener type \"\(text)\" (expected tcp, tls, ws or wss)"
                )
                return nil
            }
            type = text
        }
        guard let fields = reader.fields(node, path, allowed: Self.allListenerKeys) else { return nil }
        let allowed = Self.listenerKeys[type] ?? []
        for key in fields.values.keys.sorted() where !allowed.contains(key) {
            reader.report(fields[key], fields.path(key), "not allowed on a \(type) listener")
        }
        if !fields.has("type") {
            reader.reportMissing(fields, "type", "tcp, tls, ws or wss")
        }
        let bind = reader.hostAndPort(fields, "bind")
        if !fields.has("bind") { reader.reportMissing(fields, "bind", "HOST:PORT") }

        // Every part is read even when one is wrong, so that all problems are reported.
        let kind: BrokerConfiguration.Listener.Kind?
        switch type {
        case "tls":
            kind = parseTLS(fields).map { .tls($0) }
        case "ws":
            kind = parseWebSocketPath(fields).map { .webSocket(path: $0) }
        case "wss":
            let tls = parseTLS(fields)
            let webPath = parseWebSocketPath(fields)
            if let tls, let webPath { kind = .webSocketTLS(tls, path: webPath) } else { kind = nil }
        default:
            kind = .tcp
        }
        let ingestOnly = reader.bool(fields, "ingest-only") ?? false
        guard let bind, let kind else { return nil }
        return BrokerConfiguration.Listener(kind, host: bind.host, port: bind.port, ingestOnly: ingestOnly)
    }

    private func parseTLS(_ fields: ConfigurationReader.Fields) -> BrokerConfiguration.TLSSettings? {
        let certificate = existingFile(fields, "cert")
        let key = existingFile(fields, "key")
        let authority = existingFile(fields, "ca")
        let requireClient = reader.bool(fields, "require-client-cert") ?? false
        let identityAsUsername = reader.bool(fields, "use-identity-as-username") ?? false
        if !fields.has("cert") { reader.reportMissing(fields, "cert", "PEM certificate chain") }
        if !fields.has("key") { reader.reportMissing(fields, "key", "PEM private key") }
        if requireClient || identityAsUsername, !fields.has("ca") {
            let key = requireClient ? "require-client-cert" : "use-identity-as-username"
            reader.report(fields[key], fields.path(key), "needs `ca` to verify client certificates against")
        }
        guard let certificate, let key else { return nil }
        return BrokerConfiguration.TLSSettings(
            certificatePath: certificate,
            privateKeyPath: key,
            certificateAuthorityPath: authority,
            requireClientCertificate: requireClient,
            useCommonNameAsUsername: identityAsUsername
        )
    }

    private func parseWebSocketPath(_ fields: ConfigurationReader.Fields) -> String? {
        guard let node = fields["path"] else { return "/mqtt" }
        guard let path = reader.string(node, fields.path("path")) else { return nil }
        guard path.hasPrefix("/"), !path.contains(where: \.isWhitespace) else {
            reader.report(node, fields.path("path"), "expected an HTTP path starting with /, got \"\(path)\"")
            return nil
        }
        return path
    }
}
