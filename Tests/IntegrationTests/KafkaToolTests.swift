import Foundation
import Testing

/// `tributary kafka topics|produce|consume` (the built binary) against tansu, checked by
/// confluent-kafka.
@Suite(.serialized) struct KafkaToolTests {
    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("tributary").path
    }

    static func run(_ arguments: [String], input: [String] = []) async throws -> [String] {
        let process = try PeerProcess(try Peers.require(Self.binary), ["kafka"] + arguments)
        for line in input { process.send(line) }
        process.closeInput()
        let status = try await process.waitForExit(timeout: .seconds(60))
        guard status == 0 else {
            throw TansuPython.Failed(status: status, lines: process.lines)
        }
        return process.lines
    }

    @Test func topicsProduceAndConsumeRoundTrip() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let bootstrap = ["--bootstrap", tansu.bootstrap]
        _ = try await Self.run(["topics"] + bootstrap + ["--create", "tool", "--partitions", "2"])
        let lines = (0..<100).map { "key-\($0 % 5):value \($0)" }
        _ = try await Self.run(
            ["produce"] + bootstrap + ["--topic", "tool", "--key-delimiter", ":", "--compression", "zstd"],
            input: lines
        )
        let records = try await KafkaProducerTests.consumed(tansu, topic: "tool", partitions: 2)
        #expect(Set(records.map { "\($0.key ?? ""):\($0.value ?? "")" }) == Set(lines))

        // The process's output may still be arriving after exit: wait for the lines we expect.
        let consumer = try PeerProcess(
            try Peers.require(Self.binary),
            ["kafka", "consume"] + bootstrap + ["--topic", "tool", "--key-delimiter", ":"]
        )
        let printed = try await consumer.nextLines(100, "consumed records") { $0.hasPrefix("key-") }
        #expect(Set(printed) == Set(lines))
        #expect(try await consumer.waitForExit() == 0)

        let lister = try PeerProcess(try Peers.require(Self.binary), ["kafka", "topics"] + bootstrap)
        try await lister.nextLine("the topic with 2 partitions") { $0 == "tool\t2" }
        #expect(try await lister.waitForExit() == 0)
    }
}
