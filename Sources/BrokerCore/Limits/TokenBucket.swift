import NIOCore

/// A rate limit as a token bucket: `rate` events per second on average, bursts of up to `burst`
/// events. Time is passed in, so tests drive it without waiting.
public struct TokenBucket: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var updatedAt: NIODeadline

    /// - Parameters:
    ///   - rate: events per second, above 0.
    ///   - burst: events allowed at once after a quiet period; default one second's worth.
    public init(rate: Int, burst: Int? = nil, now: NIODeadline) {
        precondition(rate > 0, "a rate limit must allow something")
        self.rate = Double(rate)
        self.burst = Double(max(1, burst ?? rate))
        self.tokens = self.burst
        self.updatedAt = now
    }

    /// Takes one token if there is one. Returns false when the event is over the limit.
    public mutating func take(at now: NIODeadline) -> Bool {
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket is full again, i.e. the limited party has been quiet long enough for
    /// its state to be forgotten.
    public mutating func isFull(at now: NIODeadline) -> Bool {
        refill(at: now)
        return tokens >= burst
    }

    private mutating func refill(at now: NIODeadline) {
        let elapsed = Double(max(0, (now - updatedAt).nanoseconds)) / 1_000_000_000
        tokens = min(burst, tokens + elapsed * rate)
        updatedAt = max(updatedAt, now)
    }
}
