import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore

/// `tributary kafka produce`: one record per line of standard input.
struct KafkaProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce one record per line of standard input (kcat -P style).",
        discussion: """
            With --key-delimiter, the text before the first delimiter is the key and the rest the \
            value. Exits with status 1 if any record could not be delivered.
            """
    )

    @OptionGroup var connection: KafkaConnectionOptions

    @Option(help: "The topic.")
    var topic: String

    @Option(help: "Produce every record to this partition instead of partitioning by key.")
    var partition: Int32?

    @Option(help: "Split each line at the first occurrence of this text into key and value.")
    var keyDelimiter: String?

    @Option(help: "Compression: none, gzip, snappy, lz4 or zstd.")
    var compression: String = "none"

    @Option(help: "Acknowledgements: 0, 1 or all.")
    var acks: String = "all"

    @Option(help: "Milliseconds a batch waits for more records.")
    var lingerMs: Int = 5

    @Option(help: "Largest batch per partition in bytes.")
    var batchSize: Int = 1_000_000

    @Flag(inversion: .prefixedEnableDisable, help: "Idempotence (needs acks=all).")
    var idempotence = true

    func validate() throws {
        guard self.compression == "none" || CompressionCodec(name: self.compression) != nil else {
            throw ValidationError("--compression must be none, gzip, snappy, lz4 or zstd")
        }
        guard ["0", "1", "all", "-1"].contains(self.acks) else { throw ValidationError("--acks must be 0, 1 or all") }
    }

    func run() async throws {
        var configuration = KafkaProducerConfiguration(client: try self.connection.configuration())
        configuration.compression =
            self.compression == "none" ? .uncompressed : CompressionCodec(name: self.compression)!
        configuration.acks = self.acks == "0" ? .none : self.acks == "1" ? .leader : .all
        configuration.linger = .milliseconds(self.lingerMs)
        configuration.batchSize = self.batchSize
        configuration.isIdempotent = self.idempotence
        let failures = NIOLockedValueBox((count: 0, first: String?.none))
        let producer = try KafkaProducer(configuration: configuration) { result in
            guard case .failure(let failure) = result else { return }
            failures.withLockedValue { state in
                state.count += 1
                if state.first == nil { state.first = "\(failure.error)" }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await producer.run() }
            do {
                var lines = KafkaLineReader()
                // Read the options once: property-wrapper getters are costly in a loop of a million.
                let delimiter = self.keyDelimiter.map { Array($0.utf8) }
                let topic = self.topic
                let partition = self.partition
                while let line = try lines.next() {
                    var key: ByteBuffer?
                    var value = line
                    if let delimiter, let (before, after) = line.splitOnce(at: delimiter) {
                        key = before
                        value = after
                    }
                    let message = KafkaProducerMessage(topic: topic, partition: partition, key: key, value: value)
                    if try producer.trySend(message) == nil {
                        try await producer.send(message)
                    }
                }
            } catch {
                producer.triggerGracefulShutdown()
                throw error
            }
            producer.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        let (count, first) = failures.withLockedValue { ($0.count, $0.first) }
        if count > 0 {
            FileHandle.standardError.write(Data("\(count) records not delivered; first error: \(first ?? "")\n".utf8))
            throw ExitCode(1)
        }
    }
}
