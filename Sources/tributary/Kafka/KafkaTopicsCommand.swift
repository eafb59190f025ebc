import ArgumentParser
import KafkaClient

/// `tributary kafka topics`: list, create or delete topics.
struct KafkaTopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "List topics (one line each: name and partition count), or create or delete one."
    )

    @OptionGroup var connection: KafkaConnectionOptions

    @Option(help: "Create this topic.")
    var create: String?

    @Option(help: "Partitions of the topic created with --create (-1: the broker's default).")
    var partitions: Int32 = -1

    @Option(help: "Replication factor of the topic created with --create (-1: the broker's default).")
    var replicationFactor: Int16 = -1

    @Option(help: "Delete this topic.")
    var delete: String?

    @Flag(
        name: [.short, .long],
        help: "With the listing, print each partition's leader, replicas and in-sync replicas."
    )
    var verbose = false

    func run() async throws {
        let client = try KafkaClusterClient(configuration: try self.connection.configuration())
        defer { client.shutdown() }
        if let name = self.create {
            try await client.createTopic(name, partitions: self.partitions, replicationFactor: self.replicationFactor)
            print("created \(name)")
        }
        if let name = self.delete {
            try await client.deleteTopic(name)
            print("deleted \(name)")
        }
        guard self.create == nil, self.delete == nil else { return }
        for topic in try await client.listTopics() {
            print("\(topic.name)\t\(topic.partitions.count)")
            guard self.verbose else { continue }
            for partition in topic.partitions {
                print(
                    "  partition \(partition.id)\tleader \(partition.leader)\treplicas \(partition.replicas)"
                        + "\tisr \(partition.inSyncReplicas)"
                )
            }
        }
    }
}
