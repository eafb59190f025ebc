import ArgumentParser
import Broker
import Logging
import ServiceLifecycle
import TributaryConfiguration
import UnixSignals

/// `tributary serve`: runs the broker until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the MQTT broker."
    )

    @Option(
        name: .long,
        help: "An MQTT listener as HOST:PORT; repeat for several. Default 127.0.0.1:1883."
    )
    var listen: [HostAndPort] = []

    @Option(name: .long, help: "A YAML configuration file (see docs/configuration.md).")
    var config: String?

    @Option(name: .long, help: "Overrides `http.bind`: the HTTP API address as HOST:PORT.")
    var http: HostAndPort?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(
        name: .long,
        help:
            "Directory of the durable store (sessions, queues, retained messages); overrides `data-dir`. Default: in memory only."
    )
    var dataDir: String?

    @Option(
        name: .long,
        help:
            "Overrides `durability`: what an acknowledgement promises: fsync (default), process, none. See docs/persistence.md."
    )
    var durability: BrokerConfiguration.Durability?

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "tributary")

        // The configuration file (if any), then the command-line overrides.
        var file = TributaryConfiguration()
        if let config {
            file = try loadConfigurationOrExit(config)
        }
        var configuration = file.broker
        if !listen.isEmpty {
            configuration.listeners = listen.map { BrokerConfiguration.Listener(host: $0.host, port: $0.port) }
        }
        if let dataDir {
            configuration.dataDirectory = dataDir
        }
        if let durability {
            configuration.durability = durability
        }
        if let http {
            file.http = HTTPSettings(host: http.host, port: http.port)
        }
        if let http = file.http {
            logger.notice("http.bind \(http.host):\(http.port) noted; the HTTP API is not in this build yet")
        }
        for warning in file.warnings {
            logger.warning("\(warning)")
        }
        let store = try MQTTBroker.openStore(configuration: configuration, logger: logger)
        let bridge = try Self.makeBridge(file.kafka, store: store, logger: Logger(label: "tributary.bridge"))
        let broker = try MQTTBroker(
            configuration: configuration,
            store: store,
            bridge: bridge,
            logger: Logger(label: "tributary.mqtt")
        )
        if !file.kafka.kafkaToMQTT.isEmpty, configuration.dataDirectory == nil {
            logger.warning(
                "kafka.kafka-to-mqtt without data-dir: a record queued for an offline persistent session is committed in Kafka but kept in memory only, so a restart loses it"
            )
        }
        let kafkaToMQTT = try Self.makeKafkaToMQTT(
            file.kafka,
            broker: broker,
            store: store,
            logger: Logger(label: "tributary.bridge")
        )
        broker.reportStatistics(of: kafkaToMQTT)
        // Stopped in reverse order: Kafka → MQTT first (it commits what was delivered while the
        // broker still runs), then the broker, then the MQTT → Kafka bridge delivers what it holds.
        let services: [any Service] = (bridge.map { [$0] } ?? []) + [broker] + kafkaToMQTT
        let group = ServiceGroup(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        try await group.run()
    }
}

/// A `HOST:PORT` command-line value.
struct HostAndPort: ExpressibleByArgument, Sendable {
    var host: String
    var port: Int

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension BrokerConfiguration.Durability: ExpressibleByArgument {}
