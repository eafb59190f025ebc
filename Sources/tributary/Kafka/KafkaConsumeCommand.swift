import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `tributary kafka consume`: print records of a topic, one per line — read directly from its
/// partitions (kcat -C -e style), or as a member of a consumer group with `--group`.
struct KafkaConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract:
            "Print records, one per line (to the end of the partitions, after --count, or until SIGINT with --group).",
        discussion: """
            Without --group: reads the partitions directly (no group, nothing committed) and exits \
            at their end. With --group: joins the consumer group (partitions shared with its other \
            members), starts at the group's committed offsets (else at the end, or at the beginning \
            with --from-beginning), commits after printing (every 1,000 records or second, on \
            rebalance and at exit), and runs until --count records or SIGINT/SIGTERM. Each line is \
            the value, or key, delimiter and value with --key-delimiter; --verbose adds partition, \
            offset, timestamp and headers.
            """
    )

    @OptionGroup var connection: KafkaConnectionOptions

    @Option(help: "The topic.")
    var topic: String

    @Option(help: "Consume as a member of this consumer group, committing offsets after printing.")
    var group: String?

    @Flag(help: "Start at the beginning (with --group: where the group has no committed offset).")
    var fromBeginning = false

    // A short-lived tool: 10 s rather than the library's 45 s frees a killed run's partitions
    // sooner (and tansu holds a new group's first assignment for half the session timeout).
    @Option(help: "With --group: the session timeout in milliseconds (session.timeout.ms).")
    var sessionTimeoutMs: Int = 10_000

    @Option(help: "With --group: the rebalance timeout in milliseconds (max.poll.interval.ms).")
    var rebalanceTimeoutMs: Int?

    @Option(help: "Read only this partition (default: all, one after the other). Not with --group.")
    var partition: Int32?

    @Option(help: "Where to start: beginning, end, or an offset. Not with --group.")
    var offset: String = "beginning"

    @Option(help: "Stop after this many records.")
    var count: Int?

    @Option(help: "Print the key, this text, then the value.")
    var keyDelimiter: String?

    @Flag(name: [.short, .long], help: "Print partition, offset, timestamp and headers too.")
    var verbose = false

    @Flag(help: "At the end, write to stderr how many records were read and how fast (from the first record).")
    var stats = false

    func validate() throws {
        guard ["beginning", "end"].contains(self.offset) || Int64(self.offset) != nil else {
            throw ValidationError("--offset must be beginning, end or a number")
        }
        if self.group != nil, self.partition != nil {
            throw ValidationError("--partition cannot be used with --group (the group assigns partitions)")
        }
        if let count = self.count, count < 0 { throw ValidationError("--count must not be negative") }
        guard self.sessionTimeoutMs >= 1000 else { throw ValidationError("--session-timeout-ms must be at least 1000") }
    }

    func run() async throws {
        let output = ConsumeOutput()
        if let group = self.group {
            try await self.consumeInGroup(group, output: output)
        } else {
            try await self.consumeDirectly(output: output)
        }
        output.flush()
    }

    // MARK: Direct

    private func consumeDirectly(output: ConsumeOutput) async throws {
        let client = try KafkaClusterClient(configuration: try self.connection.configuration())
        defer { client.shutdown() }
        let partitions: [Int32]
        if let partition = self.partition {
            partitions = [partition]
        } else {
            partitions = try await client.describeTopic(self.topic).partitions.map(\.id)
        }
        var printed = 0
        let format = self.format
        let start = self.fromBeginning ? "beginning" : self.offset
        for partition in partitions {
            var position: Int64
            switch start {
            case "beginning":
                position = try await client.listOffset(topic: self.topic, partition: partition, at: .earliest)
            case "end": position = try await client.listOffset(topic: self.topic, partition: partition, at: .latest)
            default: position = Int64(start)!
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
                    output.write(record, format: format, commit: false)
                    printed += 1
                }
                position = result.nextOffset
            }
        }
    }

    // MARK: Group

    private func consumeInGroup(_ group: String, output: ConsumeOutput) async throws {
        var configuration = KafkaConsumerConfiguration(client: try self.connection.configuration())
        configuration.groupID = group
        configuration.topics = [self.topic]
        configuration.autoOffsetReset = self.fromBeginning ? .earliest : .latest
        configuration.maxBufferedRecords = 100_000
        configuration.sessionTimeout = .milliseconds(self.sessionTimeoutMs)
        configuration.heartbeatInterval = min(configuration.heartbeatInterval, .milliseconds(self.sessionTimeoutMs / 3))
        if let milliseconds = self.rebalanceTimeoutMs { configuration.rebalanceTimeout = .milliseconds(milliseconds) }
        let logger = {
            var logger = Logger(label: "tributary.kafka.consumer")
            logger.logLevel = .warning
            return logger
        }()
        // On a rebalance (and at shutdown) what was printed is committed before the partitions go.
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger) { _ in
            await Self.commit(output, consumer: nil, logger: logger)
        }
        output.consumer = consumer
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: consumer)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await services.run() }
            let format = self.format
            let limit = self.count ?? Int.max
            var printed = 0
            var sinceCommit = 0
            var lastCommit = ContinuousClock.now
            var firstRecord: ContinuousClock.Instant?
            if limit > 0 {
                for try await record in consumer.messages {
                    if firstRecord == nil { firstRecord = .now }
                    output.write(record, format: format, commit: true)
                    printed += 1
                    sinceCommit += 1
                    if printed >= limit { break }
                    // The clock is read every 64 records: once per record costs more than the printing.
                    if sinceCommit >= 1000 || (printed % 64 == 0 && lastCommit.duration(to: .now) > .seconds(1)) {
                        await Self.commit(output, consumer: consumer, logger: logger)
                        lastCommit = .now
                        sinceCommit = 0
                    }
                }
            }
            await Self.commit(output, consumer: consumer, logger: logger)
            if self.stats, let firstRecord { Self.printStats(printed, since: firstRecord) }
            await services.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// The benchmark figure: time from the first record (so a group's join wait, which tansu
    /// stretches to half the session timeout, is left out) to the last.
    private static func printStats(_ count: Int, since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(count) / seconds : 0
        FileHandle.standardError.write(
            Data("consumed \(count) records in \(String(format: "%.3f", seconds)) s: \(Int(rate)) records/s\n".utf8)
        )
    }

    /// Flushes the printed lines, then commits the offsets after them.
    private static func commit(_ output: ConsumeOutput, consumer: KafkaConsumer?, logger: Logger) async {
        let offsets = output.flush()
        guard !offsets.isEmpty, let consumer = consumer ?? output.consumer else { return }
        do {
            try await consumer.commit(offsets)
        } catch {
            logger.error("commit failed", metadata: ["error": "\(error)"])
        }
    }

    private var format: ConsumeRecordFormat {
        ConsumeRecordFormat(keyDelimiter: self.keyDelimiter.map { Array($0.utf8) }, verbose: self.verbose)
    }
}
