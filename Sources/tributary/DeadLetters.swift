import ArgumentParser
import Foundation
import Logging
import NIOCore
import Store

/// `tributary dead-letters --data-dir DIR`: prints the records Kafka refused for good that the
/// bridge kept in the store (mappings without a `dead-letter-topic`).
struct DeadLetters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Print the dead letters kept in a data directory, newest first, one JSON object a line.",
        discussion: """
            Each line has mapping, reason, mqtt-topic, kafka-topic, key, value (UTF-8 text, or \
            base64 with a "-base64" suffix on the name when not UTF-8) and timestamp (Unix ms). \
            The store is locked while a broker runs on it: stop the broker first.
            """
    )

    @Option(help: "The broker's data directory.")
    var dataDir: String

    @Option(help: "Print at most this many.")
    var limit: Int = 100

    func run() throws {
        var logger = Logger(label: "tributary.dead-letters")
        logger.logLevel = .error
        let store: DurableStore
        do {
            store = try DurableStore(directory: dataDir, synchronization: .process, logger: logger)
        } catch {
            throw ValidationError("\(error)")
        }
        defer { store.close() }
        for letter in try store.deadLetters(limit: limit) {
            var object: [String: Any] = [
                "mapping": letter.mapping, "reason": letter.reason, "mqtt-topic": letter.mqttTopic,
                "kafka-topic": letter.kafkaTopic, "timestamp": letter.timestamp,
            ]
            Self.add(letter.key, as: "key", to: &object)
            Self.add(letter.value, as: "value", to: &object)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    private static func add(_ buffer: ByteBuffer?, as name: String, to object: inout [String: Any]) {
        guard let buffer else {
            object[name] = NSNull()
            return
        }
        let bytes = Array(buffer.readableBytesView)
        if let text = String(validating: bytes, as: UTF8.self) {
            object[name] = text
        } else {
            object["\(name)-base64"] = Data(bytes).base64EncodedString()
        }
    }
}
