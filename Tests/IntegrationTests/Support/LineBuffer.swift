import Foundation
import NIOConcurrencyHelpers

/// Lines written by a child process, which tests wait on with a deadline instead of sleeping.
final class LineBuffer: Sendable {
    struct Timeout: Error, CustomStringConvertible {
        var waitingFor: String
        var recentLines: [String]
        var description: String {
            "timed out waiting for \(waitingFor); last lines:\n" + recentLines.suffix(15).joined(separator: "\n")
        }
    }

    struct Closed: Error, CustomStringConvertible {
        var waitingFor: String
        var recentLines: [String]
        var description: String {
            "the process ended while waiting for \(waitingFor); last lines:\n"
                + recentLines.suffix(15).joined(separator: "\n")
        }
    }

    private struct Waiter {
        var id: UInt64
        var from: Int
        var description: String
        var predicate: @Sendable (String) -> Bool
        var continuation: CheckedContinuation<Int, any Error>
    }

    private struct State {
        var lines: [String] = []
        var partial = Data()
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    var lines: [String] { state.withLockedValue { $0.lines } }

    func append(_ data: Data) {
        let ready: [(CheckedContinuation<Int, any Error>, Int)] = state.withLockedValue { state in
            state.partial.append(data)
            while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: state.partial[state.partial.startIndex..<newline], as: UTF8.self)
                state.partial.removeSubrange(state.partial.startIndex...newline)
                state.lines.append(line)
            }
            return Self.takeSatisfied(&state)
        }
        for (continuation, index) in ready { continuation.resume(returning: index) }
    }

    /// The process ended: waiters that can no longer be satisfied fail.
    func close() {
        let failed: [(CheckedContinuation<Int, any Error>, String, [String])] = state.withLockedValue { state in
            if !state.partial.isEmpty {
                state.lines.append(String(decoding: state.partial, as: UTF8.self))
                state.partial.removeAll()
            }
            state.closed = true
            let satisfied = Self.takeSatisfied(&state)
            for (continuation, index) in satisfied { continuation.resume(returning: index) }
            let remaining = state.waiters
            state.waiters.removeAll()
            return remaining.map { ($0.continuation, $0.description, state.lines) }
        }
        for (continuation, description, lines) in failed {
            continuation.resume(throwing: Closed(waitingFor: description, recentLines: lines))
        }
    }

    /// Waits until a line at index `from` or later matches; returns its index. Cancelling the
    /// waiting task ends the wait with `CancellationError`.
    func waitForLine(
        from: Int,
        description: String,
        timeout: Duration,
        where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> Int {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let immediate: Result<Int, any Error>? = state.withLockedValue { state in
                    if let index = state.lines.indices.dropFirst(from).first(where: { predicate(state.lines[$0]) }) {
                        return .success(index)
                    }
                    if state.closed {
                        return .failure(Closed(waitingFor: description, recentLines: state.lines))
                    }
                    if Task.isCancelled {
                        return .failure(CancellationError())
                    }
                    state.waiters.append(
                        Waiter(
                            id: id,
                            from: from,
                            description: description,
                            predicate: predicate,
                            continuation: continuation
                        )
                    )
                    return nil
                }
                if let immediate {
                    continuation.resume(with: immediate)
                    return
                }
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                    fail(waiter: id) { Timeout(waitingFor: $0, recentLines: $1) }
                }
            }
        } onCancel: {
            fail(waiter: id) { _, _ in CancellationError() }
        }
    }

    private func fail(waiter id: UInt64, with makeError: (String, [String]) -> any Error) {
        let removed: (CheckedContinuation<Int, any Error>, String, [String])? = state.withLockedValue { state in
            guard let position = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = state.waiters.remove(at: position)
            return (waiter.continuation, waiter.description, state.lines)
        }
        if let (continuation, description, lines) = removed {
            continuation.resume(throwing: makeError(description, lines))
        }
    }

    private static func takeSatisfied(_ state: inout State) -> [(CheckedContinuation<Int, any Error>, Int)] {
        var ready: [(CheckedContinuation<Int, any Error>, Int)] = []
        state.waiters.removeAll { waiter in
            guard waiter.from < state.lines.count,
                let index = state.lines.indices.dropFirst(waiter.from).first(where: {
                    waiter.predicate(state.lines[$0])
                })
            else { return false }
            ready.append((waiter.continuation, index))
            return true
        }
        return ready
    }
}
