import Broker
import Foundation
import Yams

/// Turns a composed YAML document into a `TributaryConfiguration`, reporting problems to the
/// reader and keeping defaults where a value is wrong, so that every problem is found in one pass.
struct ConfigurationParser {
    let reader: ConfigurationReader
    /// Relative paths resolve against this directory (the configuration file's).
    let baseDirectory: String
    let fileExists: (String) -> Bool

    static let topLevelKeys = [
        "data-dir", "durability", "listeners", "http", "auth", "acl", "limits", "sessions", "sys-interval",
        "response-information", "event-loop-threads", "kafka",
    ]

    func parseDocument(_ root: Node?) -> TributaryConfiguration {
        var configuration = TributaryConfiguration()
        // A configuration file means a broker meant to be reached: anonymous access is off unless
        // the file turns it on (issue 3), whatever the embedded default is.
        configuration.broker.authentication.allowAnonymous = false
        guard let root else { return configuration }  // an empty file: all defaults
        guard let fields = reader.fields(root, "", allowed: Self.topLevelKeys) else { return configuration }

        var broker = configuration.broker
        if let node = fields["data-dir"], let path = reader.string(node, "data-dir") {
            broker.dataDirectory = resolve(path)
        }
        if let durability = reader.choice(fields, "durability", as: BrokerConfiguration.Durability.self) {
            broker.durability = durability
        }
        if let node = fields["listeners"] {
            broker.listeners = parseListeners(node, "listeners")
        }
        if let node = fields["auth"] {
            parseAuthentication(node, "auth", into: &broker.authentication)
        }
        if let node = fields["acl"] {
            broker.accessRules = parseAccessRules(node, "acl")
        }
        if let node = fields["limits"] {
            parseLimits(node, "limits", into: &broker)
        }
        if let node = fields["sessions"] {
            parseSessions(node, "sessions", into: &broker)
        }
        if let interval = reader.int(fields, "sys-interval", in: 0...86_400) {
            broker.systemTopicsIntervalSeconds = interval
        }
        if let prefix = reader.string(fields, "response-information") {
            broker.responseInformationPrefix = prefix
        }
        if let threads = reader.int(fields, "event-loop-threads", in: 1...1_024) {
            broker.eventLoopThreads = threads
        }
        configuration.broker = broker

        if let node = fields["http"], let http = reader.fields(node, "http", allowed: ["bind"]) {
            if let bind = reader.hostAndPort(http, "bind") {
                configuration.http = HTTPSettings(host: bind.host, port: bind.port)
            } else if !http.has("bind") {
                reader.reportMissing(http, "bind")
            }
        }
        if let node = fields["kafka"] {
            configuration.kafka = parseKafka(node, "kafka")
        }
        return configuration
    }

    /// An absolute path for `path`, relative ones taken from the configuration file's directory.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: baseDirectory, isDirectory: true))
            .standardizedFileURL.path
    }

    /// A path to a file the broker must read at start; reports it when it does not exist.
    func existingFile(_ fields: ConfigurationReader.Fields, _ key: String) -> String? {
        guard let node = fields[key], let raw = reader.string(node, fields.path(key)) else { return nil }
        guard !raw.isEmpty else {
            reader.report(node, fields.path(key), "must not be empty")
            return nil
        }
        let path = resolve(raw)
        guard fileExists(path) else {
            reader.report(node, fields.path(key), "file not found: \(path)")
            return path
        }
        return path
    }
}
