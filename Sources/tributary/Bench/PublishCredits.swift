import NIOConcurrencyHelpers

/// The end-to-end window of one publisher: how many deliveries it may have outstanding (sent
/// and not yet received by the subscribers). Bounds memory in the broker for QoS 0 as well as
/// QoS 1, so the benchmark measures sustained throughput rather than how fast queues fill.
///
/// The publisher waits for the window to drain to half before sending the next burst, so a
/// wake-up is paid once per half-window, not once per message.
final class PublishCredits: Sendable {
    private struct State {
        var outstanding = 0
        var waiter: CheckedContinuation<Void, Never>?
        var finished = false
    }

    /// Deliveries allowed outstanding; at least twice the cost of one message.
    let window: Int
    /// Deliveries one message makes (its number of subscribers).
    let cost: Int
    private let state = NIOLockedValueBox(State())

    init(messages: Int, deliveriesPerMessage: Int) {
        self.cost = max(1, deliveriesPerMessage)
        self.window = max(2, messages) * cost
    }

    private var resumeAt: Int { window / 2 }

    /// How many messages may be sent now; suspends while more than half the window is
    /// outstanding. Returns 0 once the run is finished.
    func acquire() async -> Int {
        while true {
            let granted: Int? = state.withLockedValue { state in
                if state.finished { return 0 }
                guard state.outstanding <= resumeAt else { return nil }
                let messages = (window - state.outstanding) / cost
                state.outstanding += messages * cost
                return messages
            }
            if let granted { return granted }
            await withCheckedContinuation { continuation in
                let resumeNow: Bool = state.withLockedValue { state in
                    if state.finished || state.outstanding <= resumeAt { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// A message granted by `acquire` was not sent after all.
    func returnUnsent(_ messages: Int) {
        received(deliveries: messages * cost)
    }

    /// Subscribers received deliveries of this publisher's messages.
    func received(deliveries: Int = 1) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
            state.outstanding -= deliveries
            guard state.outstanding <= resumeAt, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Ends the run: a waiting publisher returns.
    func finish() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
