import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Requests the coordinator may hold for a long time (JoinGroup, SyncGroup: up to the rebalance
/// timeout, and tansu holds a new group's first JoinGroup for half the session timeout) must not
/// delay a shutdown: the member stops waiting and leaves the group instead.
extension KafkaConsumer {
    /// Sends `request` and returns its answer, or nil as soon as shutdown begins or the task is
    /// cancelled. Then the coordinator connection is closed: the broker answers a connection's
    /// requests in order, so the LeaveGroup that follows would wait behind the held request.
    func sendUnlessStopping<Request: KafkaRequest>(
        _ request: Request,
        on connection: KafkaBrokerConnection,
        timeout: Duration
    ) async throws -> Request.Response? {
        let future = connection.sendFuture(request, timeout: timeout)
        let claimed = NIOLockedValueBox(false)
        defer { self.state.withLockedValue { $0.stopWaiter = nil } }
        let response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<Request.Response?, any Error>) in
                let finish: @Sendable (Result<Request.Response?, any Error>) -> Void = { result in
                    let first = claimed.withLockedValue { claimed in
                        defer { claimed = true }
                        return !claimed
                    }
                    if first { continuation.resume(with: result) }
                }
                future.whenComplete { finish($0.map { Optional($0) }) }
                let stopping = self.state.withLockedValue { state -> Bool in
                    guard case .running = state.lifecycle else { return true }
                    state.stopWaiter = { finish(.success(nil)) }
                    return false
                }
                if stopping || Task.isCancelled { finish(.success(nil)) }
            }
        } onCancel: {
            self.wakeStopWaiter()
        }
        if response == nil, let coordinator = self.state.withLockedValue({ $0.coordinator }) {
            self.cluster.closeCoordinatorConnection(to: coordinator)
        }
        return response
    }

    /// Ends a ``sendUnlessStopping(_:on:timeout:)`` in progress.
    func wakeStopWaiter() {
        let waiter = self.state.withLockedValue { state in
            defer { state.stopWaiter = nil }
            return state.stopWaiter
        }
        waiter?()
    }
}
