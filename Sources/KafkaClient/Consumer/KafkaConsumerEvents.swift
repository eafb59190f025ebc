/// The rebalance events of a ``KafkaConsumer`` (``KafkaConsumer/events``). It ends when the
/// consumer has shut down. Iterate it from one task only.
public struct KafkaConsumerEvents: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerEvent

    let stream: AsyncStream<KafkaConsumerEvent>

    /// Iterates the events.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<KafkaConsumerEvent>.AsyncIterator

        /// The next event, or nil once the consumer has shut down.
        public mutating func next() async -> KafkaConsumerEvent? {
            await self.base.next()
        }
    }

    /// Makes the iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.stream.makeAsyncIterator())
    }
}
