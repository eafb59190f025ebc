import ArgumentParser

@main
struct Tributary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "An MQTT broker with a native Apache Kafka bridge.",
        subcommands: [
            Serve.self, CheckConfig.self, Passwd.self, Bench.self, Simulate.self, KafkaCommand.self, DeadLetters.self,
        ]
    )
}
