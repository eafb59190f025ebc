import BrokerCore
import NIOConcurrencyHelpers
import NIOCore

/// `limits.max-connection-rate`: new connections per second from one source address.
///
/// One bucket per address, behind a lock; an accept is rare next to the messages that follow it.
/// Buckets that filled up again are forgotten now and then, so a scan from many addresses does
/// not grow the table for ever.
final class ConnectionRateLimiter: Sendable {
    private let rate: Int
    private let state = NIOLockedValueBox(State())

    private struct State {
        var buckets: [String: TokenBucket] = [:]
        var acceptsSincePrune = 0
    }

    init(rate: Int) {
        self.rate = rate
    }

    /// Counts a new connection from `address`; false when it is over the limit.
    func admit(_ address: SocketAddress?, now: NIODeadline = .now()) -> Bool {
        // Unix-domain sockets and unknown peers have no address to limit by.
        guard let key = address?.ipAddress else { return true }
        return state.withLockedValue { state in
            state.acceptsSincePrune += 1
            if state.acceptsSincePrune >= 10_000 {
                state.acceptsSincePrune = 0
                state.buckets = state.buckets.filter { _, bucket in
                    var bucket = bucket
                    return !bucket.isFull(at: now)
                }
            }
            var bucket = state.buckets[key] ?? TokenBucket(rate: rate, now: now)
            let admitted = bucket.take(at: now)
            state.buckets[key] = bucket
            return admitted
        }
    }
}
