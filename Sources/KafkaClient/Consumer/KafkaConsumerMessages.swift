/// The records a ``KafkaConsumer`` reads (``KafkaConsumer/messages``), in offset order per
/// partition. Taking records makes room in the consumer's buffer; while the application does not
/// take them, the consumer stops fetching (backpressure).
///
/// It ends (returns nil) when the consumer has shut down, and throws the ``KafkaError`` that
/// stopped the consumer if it failed. Iterate it from one task only (a second task waiting at
/// the same time gets a ``KafkaError`` with code ``KafkaError/Code/invalidConfiguration``).
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerRecord

    let consumer: KafkaConsumer

    /// Iterates the records.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer

        /// The next record; nil once the consumer has shut down (or the task was cancelled).
        public mutating func next() async throws -> KafkaConsumerRecord? {
            try await self.consumer.nextRecord()
        }
    }

    /// Makes the iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: self.consumer)
    }
}
