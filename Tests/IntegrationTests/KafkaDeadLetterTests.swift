import Foundation
import Testing

/// Records Kafka refuses for good reach a dead-letter destination with the reason, and v5
/// publishers get a reason code instead of a false success.
@Suite(.serialized) struct KafkaDeadLetterTests {
    @Test func refusedRecordsGoToTheDeadLetterTopicOrTheStoreTable() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        for topic in ["dead", "present"] {
            let created = try runToCompletion(
                TributaryProcess.executable,
                ["kafka", "topics", "--bootstrap", tansu.bootstrap, "--create", topic, "--partitions", "1"]
            )
            #expect(created == 0)
        }
        let directory = try TemporaryDirectory("dead-letters")
        let data = "\(directory.path)/data"
        let file = "\(directory.path)/tributary.yaml"
        try """
        data-dir: \(data)
        auth: { allow-anonymous: true }
        kafka:
          clusters: [{ name: main, bootstrap: ["\(tansu.bootstrap)"] }]
          mqtt-to-kafka:
            - { name: to-topic, mqtt-topic-filters: ["a/+"], kafka-topic: "${topic[1]}", dead-letter-topic: dead }
            - { name: to-table, mqtt-topic-filters: ["b/+"], kafka-topic: "${topic[1]}" }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let server = try await TributaryServer.serve(["--config", file])
        defer { Task { try? await server.kill9() } }

        let paho = try await PahoPuppet.start(port: server.port)
        try await paho.connect(clientID: uniqueName("dead"))
        // A topic that does not exist (auto-create is off) and a name Kafka does not allow.
        #expect(try await paho.publish("a/missing", "first", qos: 1) == 0x80)
        #expect(try await paho.publish("b/has space", "second", qos: 1) == 0x80)
        #expect(try await paho.publish("b/missing-too", "third", qos: 1) == 0x80)
        // The mappings still deliver what Kafka takes.
        #expect(try await paho.publish("a/present", "fine", qos: 1) == 0)

        let present = try await KafkaProducerTests.consumed(tansu, topic: "present", partitions: 1)
        #expect(present.map(\.value) == ["fine"])
        let dead = try await KafkaProducerTests.consumed(tansu, topic: "dead", partitions: 1)
        #expect(dead.map(\.value) == ["first"])
        let headers = Dictionary(
            (dead.first?.headers ?? []).compactMap { pair in pair.first.flatMap { $0 }.map { ($0, pair.last ?? nil) } },
            uniquingKeysWith: { first, _ in first }
        )
        #expect(headers["tributary.dead-letter.mapping"] == "to-topic")
        #expect(headers["tributary.dead-letter.topic"] == "missing")
        #expect(headers["tributary.dead-letter.reason"]??.isEmpty == false)
        #expect(headers["mqtt.topic"] == "a/missing")

        // The table is read with the broker stopped (it holds the store's lock).
        try await server.terminate()
        let listing = try PeerProcess(TributaryProcess.executable, ["dead-letters", "--data-dir", data])
        #expect(try await listing.waitForExit(timeout: .seconds(20)) == 0)
        let letters = listing.lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(letters.map { $0["value"] as? String } == ["third", "second"])
        #expect(letters.map { $0["mqtt-topic"] as? String } == ["b/missing-too", "b/has space"])
        #expect(
            letters.allSatisfy { $0["mapping"] as? String == "to-table" && !(($0["reason"] as? String) ?? "").isEmpty }
        )
    }
}
