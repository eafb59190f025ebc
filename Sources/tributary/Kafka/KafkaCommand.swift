import ArgumentParser
import Foundation
import KafkaClient

/// `tributary kafka`: a small kcat-like tool on Tributary's own Kafka client.
struct KafkaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Talk to a Kafka cluster with Tributary's own client: topics, produce, consume.",
        subcommands: [KafkaTopicsCommand.self, KafkaProduceCommand.self, KafkaConsumeCommand.self]
    )
}

/// The options every `tributary kafka` subcommand takes.
struct KafkaConnectionOptions: ParsableArguments {
    @Option(help: "Bootstrap brokers as HOST:PORT, comma-separated.")
    var bootstrap: String = "127.0.0.1:9092"

    @Option(help: "The client id sent to the brokers.")
    var clientID: String = "tributary-kafka"

    @Flag(help: "Connect with TLS.")
    var tls = false

    @Option(help: "With --tls: trust the CA certificates in this PEM file (default: the system's).")
    var tlsCA: String?

    @Option(help: "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    var saslMechanism: String?

    @Option(help: "SASL user name.")
    var saslUsername: String?

    @Option(help: "SASL password (default: the KAFKA_SASL_PASSWORD environment variable).")
    var saslPassword: String?

    func configuration() throws -> KafkaClientConfiguration {
        var configuration = try self.plainConfiguration()
        if self.tls || self.tlsCA != nil {
            try configuration.useTLS(trustingCertificatesIn: self.tlsCA)
        }
        if let mechanism = self.saslMechanism {
            guard let username = self.saslUsername else {
                throw ValidationError("--sasl-mechanism needs --sasl-username")
            }
            let password = self.saslPassword ?? ProcessInfo.processInfo.environment["KAFKA_SASL_PASSWORD"] ?? ""
            switch mechanism.uppercased() {
            case "PLAIN": configuration.sasl = .plain(username: username, password: password)
            case "SCRAM-SHA-256": configuration.sasl = .scramSHA256(username: username, password: password)
            case "SCRAM-SHA-512": configuration.sasl = .scramSHA512(username: username, password: password)
            default: throw ValidationError("--sasl-mechanism must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
            }
        }
        return configuration
    }

    private func plainConfiguration() throws -> KafkaClientConfiguration {
        let addresses = try self.bootstrap.split(separator: ",").map { part in
            guard let address = KafkaBrokerAddress(String(part.trimmingCharacters(in: .whitespaces))) else {
                throw ValidationError("--bootstrap: \(part) is not HOST:PORT")
            }
            return address
        }
        guard !addresses.isEmpty else { throw ValidationError("--bootstrap needs at least one HOST:PORT") }
        return KafkaClientConfiguration(bootstrapServers: addresses, clientID: self.clientID)
    }
}
