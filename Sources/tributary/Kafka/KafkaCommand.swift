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

    func configuration() throws -> KafkaClientConfiguration {
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
