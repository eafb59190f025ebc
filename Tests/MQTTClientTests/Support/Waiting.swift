import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import MQTTClient

/// Runs `body`, failing with a `TestFailure` if it has not finished after `seconds`. A body that
/// hangs is left behind rather than awaited, so a broken client fails the test instead of
/// hanging the run.
func withDeadline<T: Sendable>(
    seconds: Int = 20,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let resumed = NIOLockedValueBox(false)
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        @Sendable func finish(_ result: Result<T, any Error>) {
            let first = resumed.withLockedValue { resumed in
                defer { resumed = true }
                return !resumed
            }
            if first { continuation.resume(with: result) }
        }
        let work = Task {
            do {
                finish(.success(try await body()))
            } catch {
                finish(.failure(error))
            }
        }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            finish(.failure(TestFailure("timed out after \(seconds) s: \(what)")))
            work.cancel()
        }
    }
}

/// Waits until `condition` holds, polling, with a deadline.
func waitUntil(
    seconds: Int = 20,
    _ what: String,
    _ condition: @escaping @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TestFailure("timed out after \(seconds) s: \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

extension MQTTClient.Messages {
    /// The next `count` messages, with a deadline.
    func first(_ count: Int, seconds: Int = 20) async throws -> [PublishPacket] {
        try await withDeadline(seconds: seconds, "\(count) messages") {
            var messages: [PublishPacket] = []
            messages.reserveCapacity(count)
            for try await message in self {
                messages.append(message)
                if messages.count == count { break }
            }
            return messages
        }
    }
}

/// A per-test unique prefix so tests sharing nothing still never share a topic.
func uniqueTopic(_ name: String = #function) -> String {
    "test/\(name.prefix { $0 != "(" })/\(UInt32.random(in: 0...UInt32.max))"
}

func makeClient(
    _ broker: Mosquitto,
    _ clientID: String,
    version: MQTTProtocolVersion = .v5,
    configure: (inout MQTTClient.Configuration) -> Void = { _ in }
) -> MQTTClient {
    var configuration = MQTTClient.Configuration(
        host: "127.0.0.1",
        port: broker.port,
        clientID: clientID,
        protocolVersion: version
    )
    configure(&configuration)
    return MQTTClient(configuration: configuration)
}

/// Consumes `messages` in the background and keeps what arrived, so a test can wait for counts
/// several times on one connection (a sequence has a single consumer).
final class MessageCollector: Sendable {
    private struct State {
        var messages: [PublishPacket] = []
        var ended = false
        var error: (any Error)?
    }

    private let state: NIOLockedValueBox<State>
    private let task: Task<Void, Never>

    init(_ messages: MQTTClient.Messages) {
        let state = NIOLockedValueBox(State())
        self.state = state
        self.task = Task {
            do {
                for try await message in messages {
                    state.withLockedValue { $0.messages.append(message) }
                }
                state.withLockedValue { $0.ended = true }
            } catch {
                state.withLockedValue {
                    $0.ended = true
                    $0.error = error
                }
            }
        }
    }

    var messages: [PublishPacket] { self.state.withLockedValue { $0.messages } }

    /// Waits until at least `count` messages arrived and returns all of them.
    func waitFor(_ count: Int, seconds: Int = 20) async throws -> [PublishPacket] {
        try await waitUntil(seconds: seconds, "\(count) messages (have \(self.messages.count))") {
            self.state.withLockedValue { $0.messages.count >= count || $0.ended }
        }
        let messages = self.messages
        guard messages.count >= count else {
            throw TestFailure(
                "messages ended after \(messages.count) of \(count): \(String(describing: self.endError))"
            )
        }
        return messages
    }

    /// Waits until the sequence ended and returns the error it ended with (nil: normal end).
    func waitForEnd(seconds: Int = 20) async throws -> (any Error)? {
        try await waitUntil(seconds: seconds, "end of messages") {
            self.state.withLockedValue { $0.ended }
        }
        return self.endError
    }

    var endError: (any Error)? { self.state.withLockedValue { $0.error } }

    func cancel() { self.task.cancel() }
}
