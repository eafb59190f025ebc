import NIOConcurrencyHelpers

/// Wakes one waiting task: a signal sent while nobody waits is kept for the next wait.
/// Spurious wakeups are possible; waiters re-check their condition.
final class ConsumerSignal: Sendable {
    private struct State {
        var isPending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func signal() {
        let waiter = self.state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.isPending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a signal, after `timeout` (nil: no limit), or when the task is cancelled.
    func wait(timeout: Duration?) async {
        let pending = self.state.withLockedValue { state in
            defer { state.isPending = false }
            return state.isPending
        }
        if pending || Task.isCancelled { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let resumeNow = self.state.withLockedValue { state -> Bool in
                            if state.isPending {
                                state.isPending = false
                                return true
                            }
                            state.waiter = continuation
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    self.signal()
                }
            }
            if let timeout {
                group.addTask {
                    try? await Task.sleep(for: timeout)
                }
            }
            await group.next()
            group.cancelAll()
        }
        // A cancelled sleeper or waiter may have left a stale pending flag: harmless.
    }
}
