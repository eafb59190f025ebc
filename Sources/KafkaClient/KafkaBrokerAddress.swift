/// A broker's host and port, as written in a bootstrap list (`host:port`).
public struct KafkaBrokerAddress: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP address.
    public var host: String
    /// TCP port.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (also `[v6-address]:port`); the port defaults to 9092 when absent.
    public init?(_ text: String) {
        var host = Substring(text)
        var port = 9092
        if let colon = text.lastIndex(of: ":"), !text.hasSuffix("]") {
            guard let parsed = Int(text[text.index(after: colon)...]), (1...65535).contains(parsed) else {
                return nil
            }
            port = parsed
            host = text[..<colon]
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        }
        guard !host.isEmpty else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }
}
