/// The `http:` section: where the REST API, `/metrics` and the dashboard listen (later issues).
public struct HTTPSettings: Sendable, Hashable {
    /// `http.bind`, `HOST:PORT`.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
