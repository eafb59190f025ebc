import ArgumentParser
import KafkaClient
import KafkaProtocol
import NIOCore

/// `tributary kafka consume`: print records of a topic's partitions (kcat -C -e style).
struct KafkaConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print records, one per line, and exit at the end of the partitions (or after --count).",
        discussion: """
            Reads partitions directly (no consumer group, no offsets committed). Each line is the \
            value, or key, delimiter and value with --key-delimiter; --verbose adds partition, \
            offset, timestamp and headers.
            """
    )

    @OptionGroup var connection: KafkaConnectionOptions

    @Option(help: "The topic.")
    var topic: String

    @Option(help: "Read only this partition (default: all, one after the other).")
    var partition: Int32?

    @Option(help: "Where to start: beginning, end, or an offset.")
    var offset: String = "beginning"

    @Option(help: "Stop after this many records.")
    var count: Int?

    @Option(help: "Print the key, this text, then the value.")
    var keyDelimiter: String?

    @Flag(name: [.short, .long], help: "Print partition, offset, timestamp and headers too.")
    var verbose = false

    func validate() throws {
        guard ["beginning", "end"].contains(self.offset) || Int64(self.offset) != nil else {
            throw ValidationError("--offset must be beginning, end or a number")
        }
    }

    func run() async throws {
        let client = try KafkaClusterClient(configuration: try self.connection.configuration())
        defer { client.shutdown() }
        let partitions: [Int32]
        if let partition = self.partition {
            partitions = [partition]
        } else {
            partitions = try await client.describeTopic(self.topic).partitions.map(\.id)
        }
        var printed = 0
        for partition in partitions {
            var position: Int64
            switch self.offset {
            case "beginning":
                position = try await client.listOffset(topic: self.topic, partition: partition, at: .earliest)
            case "end": position = try await client.listOffset(topic: self.topic, partition: partition, at: .latest)
            default: position = Int64(self.offset)!
            }
            while self.count.map({ printed < $0 }) ?? true {
                let result = try await client.fetch(
                    topic: self.topic,
                    partition: partition,
                    offset: position,
                    maxWait: .milliseconds(200)
                )
                // An empty answer is the end of the partition (tansu's watermarks can lag).
                if result.records.isEmpty && result.nextOffset == position { break }
                for record in result.records {
                    guard self.count.map({ printed < $0 }) ?? true else { break }
                    print(self.line(for: record))
                    printed += 1
                }
                position = result.nextOffset
            }
        }
    }

    private func line(for record: KafkaConsumerRecord) -> String {
        let value = record.value.map { String(buffer: $0) } ?? ""
        var line = value
        if let delimiter = self.keyDelimiter {
            line = (record.key.map { String(buffer: $0) } ?? "") + delimiter + value
        }
        guard self.verbose else { return line }
        let headers = record.headers.map { "\($0.key)=\($0.value.map { String(buffer: $0) } ?? "")" }
        return
            "\(record.topicPartition.partition)\t\(record.offset)\t\(record.timestamp)\t\(headers.joined(separator: ","))\t"
            + line
    }
}
