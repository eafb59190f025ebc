import Logging
import NIOConcurrencyHelpers

/// A log handler that keeps the messages, so a test can wait for a step it cannot otherwise
/// observe (e.g. "the consumer found its coordinator").
struct RecordingLogHandler: LogHandler {
    final class Messages: Sendable {
        private let box = NIOLockedValueBox<[String]>([])
        var all: [String] { self.box.withLockedValue { $0 } }
        func append(_ message: String) { self.box.withLockedValue { $0.append(message) } }
    }

    let messages: Messages
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.messages.append(event.message.description)
    }

    /// A logger recording into `messages`.
    static func logger(_ messages: Messages) -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(messages: messages) }
    }
}
