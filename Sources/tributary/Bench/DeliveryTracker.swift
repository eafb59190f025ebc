import NIOConcurrencyHelpers

/// Counts deliveries across subscribers so the run can end as soon as everything sent arrived.
final class DeliveryTracker: Sendable {
    private struct State {
        var received = 0
        var target: Int?
        var waiter: CheckedContinuation<Bool, Never>?
    }

    private let state = NIOLockedValueBox(State())

    var received: Int { state.withLockedValue { $0.received } }

    func arrived() {
        let waiter: CheckedContinuation<Bool, Never>? = state.withLockedValue { state in
            state.received += 1
            guard let target = state.target, state.received >= target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume(returning: true)
    }

    /// Waits until `target` deliveries arrived (true) or `timeout` passed (false).
    func waitFor(_ target: Int, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let done: Bool = self.state.withLockedValue { state in
                        state.target = target
                        if state.received >= target { return true }
                        state.waiter = continuation
                        return false
                    }
                    if done { continuation.resume(returning: true) }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                let waiter = self.state.withLockedValue { state in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume(returning: false)
                return false
            }
            // Whoever takes the waiter out of the state resumes it, so it is resumed once.
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
}
