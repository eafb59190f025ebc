import Broker
import Foundation
import Yams

/// Everything a Tributary configuration file says: the broker's settings plus the sections
/// later parts of the product use (HTTP API, Kafka bridge).
///
/// The file format is documented in `docs/configuration.md`; keys are the product's interface.
public struct TributaryConfiguration: Sendable {
    /// Listeners, storage, authentication, ACL, limits, sessions.
    public var broker: BrokerConfiguration
    /// `http:`; nil when the file has no `http` section.
    public var http: HTTPSettings?
    /// `kafka:`.
    public var kafka: KafkaSettings

    public init(
        broker: BrokerConfiguration = BrokerConfiguration(),
        http: HTTPSettings? = nil,
        kafka: KafkaSettings = KafkaSettings()
    ) {
        self.broker = broker
        self.http = http
        self.kafka = kafka
    }

    /// Reads and validates a configuration file. Relative paths in it resolve against the
    /// directory of the file.
    ///
    /// - Throws: `ConfigurationError` with every problem found.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> TributaryConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let issue = ConfigurationIssue(
                file: path,
                line: nil,
                keyPath: "",
                message: "cannot read the file: \(error.localizedDescription)"
            )
            throw ConfigurationError(code: .unreadable, issues: [issue])
        }
        let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        return try parse(text, fileName: path, baseDirectory: directory)
    }

    /// Validates configuration text.
    ///
    /// - Parameters:
    ///   - fileName: printed at the start of each error.
    ///   - baseDirectory: relative paths (`data-dir`, `cert`, `password-file`, ...) resolve here.
    ///   - fileExists: checks that files the broker must read (certificates, password file) exist.
    public static func parse(
        _ text: String,
        fileName: String,
        baseDirectory: String,
        fileExists: @escaping (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    ) throws(ConfigurationError) -> TributaryConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigurationError(code: .invalidYAML, issues: [Self.issue(from: error, file: fileName)])
        } catch {
            let issue = ConfigurationIssue(file: fileName, line: nil, keyPath: "", message: "\(error)")
            throw ConfigurationError(code: .invalidYAML, issues: [issue])
        }
        let reader = ConfigurationReader(file: fileName)
        let parser = ConfigurationParser(reader: reader, baseDirectory: baseDirectory, fileExists: fileExists)
        let configuration = parser.parseDocument(root)
        guard reader.issues.isEmpty else {
            // In document order; the sort is stable, so issues of one line keep their order.
            let ordered = reader.issues.enumerated().sorted {
                ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset)
            }
            throw ConfigurationError(code: .invalidConfiguration, issues: ordered.map(\.element))
        }
        return configuration
    }

    private static func issue(from error: YamlError, file: String) -> ConfigurationIssue {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let message = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return ConfigurationIssue(file: file, line: mark.line, keyPath: "", message: "invalid YAML: \(message)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
            return ConfigurationIssue(
                file: file,
                line: context.mark.line,
                keyPath: "",
                message: "duplicate key \(keys) in the mapping that starts here"
            )
        default:
            return ConfigurationIssue(file: file, line: nil, keyPath: "", message: "invalid YAML: \(error)")
        }
    }

    /// Valid settings that are probably not what the operator meant.
    public var warnings: [String] {
        var warnings: [String] = []
        let auth = broker.authentication
        if !auth.allowAnonymous, auth.passwordFile == nil {
            warnings.append(
                "auth: anonymous access is off and there is no password-file: every client will be refused"
            )
        }
        if broker.dataDirectory == nil {
            for mapping in kafka.mqttToKafka where mapping.mode == .async {
                warnings.append(
                    "kafka.mqtt-to-kafka \(mapping.name): mode async needs data-dir (the spool lives in the store); serve refuses to start without one"
                )
            }
            for mapping in kafka.mqttToKafka where mapping.mode == .sync && mapping.onKafkaUnavailable == .spool {
                warnings.append(
                    "kafka.mqtt-to-kafka \(mapping.name): without data-dir there is no spool; while Kafka is unavailable publishers get 0x80 (v5) or are disconnected (3.1.1)"
                )
            }
        }
        return warnings
    }

    /// A few lines describing what the file configures, for `check-config`.
    public var summary: [String] {
        var lines: [String] = []
        for listener in broker.listeners {
            lines.append(
                "listener \(Self.describe(listener.kind)) \(HostAndPort(host: listener.host, port: listener.port))"
            )
        }
        if let http {
            lines.append("http \(HostAndPort(host: http.host, port: http.port))")
        }
        if let directory = broker.dataDirectory {
            lines.append("data-dir \(directory) (durability \(broker.durability.rawValue))")
        } else {
            lines.append("data-dir none: sessions and retained messages are kept in memory only")
        }
        let auth = broker.authentication
        lines.append(
            "auth: anonymous \(auth.allowAnonymous ? "allowed" : "refused"), password file \(auth.passwordFile ?? "none")"
        )
        lines.append(
            broker.accessRules.isEmpty ? "acl: none (everything allowed)" : "acl: \(broker.accessRules.count) rules"
        )
        if !kafka.clusters.isEmpty || kafka.hasMappings {
            lines.append(
                "kafka: clusters \(kafka.clusters.count), mqtt-to-kafka mappings \(kafka.mqttToKafka.count), "
                    + "kafka-to-mqtt mappings \(kafka.kafkaToMQTT.count)"
            )
        }
        return lines
    }

    private static func describe(_ kind: BrokerConfiguration.Listener.Kind) -> String {
        switch kind {
        case .tcp: "tcp"
        case .tls: "tls"
        case .webSocket(let path): "ws \(path)"
        case .webSocketTLS(_, let path): "wss \(path)"
        }
    }
}
