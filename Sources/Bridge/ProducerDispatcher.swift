import Atomics
import KafkaClient
import Logging

/// Feeds one cluster's producer in arrival order.
///
/// The broker's event loops must not wait, and `KafkaProducer.send` may suspend (its buffer
/// memory is full), so records go through one queue and one task sends them one after the other.
/// A single sender keeps the order in which publishers' messages arrived, which the producer then
/// keeps per partition. The queue is bounded: beyond `capacity` records waiting, new ones are
/// refused at once (the publisher gets 0x97), so a Kafka outage cannot eat the broker's memory.
final class ProducerDispatcher: Sendable {
    struct Item: Sendable {
        var record: KafkaProducerMessage
        var completion: DeliveryWaiters.Completion?
    }

    let producer: KafkaProducer
    let waiters: DeliveryWaiters
    private let topicCheck: KafkaTopicCheck
    private let stream: AsyncStream<Item>
    private let continuation: AsyncStream<Item>.Continuation
    private let queued = ManagedAtomic<Int>(0)
    let capacity: Int

    init(producer: KafkaProducer, waiters: DeliveryWaiters, topicCheck: KafkaTopicCheck, capacity: Int) {
        self.producer = producer
        self.waiters = waiters
        self.topicCheck = topicCheck
        self.capacity = capacity
        (stream, continuation) = AsyncStream.makeStream(of: Item.self)
    }

    /// Queues a record; false when the queue is full (nothing was queued).
    func submit(_ item: Item) -> Bool {
        guard queued.loadThenWrappingIncrement(ordering: .relaxed) < capacity else {
            queued.wrappingDecrement(ordering: .relaxed)
            return false
        }
        continuation.yield(item)
        return true
    }

    /// Records waiting to be handed to the producer.
    var depth: Int { queued.load(ordering: .relaxed) }

    /// Sends until `finish()`; what is queued then is still sent.
    func run() async {
        var topicCheck = self.topicCheck
        for await item in stream {
            queued.wrappingDecrement(ordering: .relaxed)
            if let problem = await topicCheck.problem(with: item.record.topic) {
                item.completion?(.failure(problem))
                continue
            }
            do {
                // The synchronous path when the producer can take the record at once; the
                // suspending one when it must wait for metadata or buffer memory. Either way this
                // loop hands records over one at a time, in order.
                let id: KafkaProducerMessageID
                if let queued = try producer.trySend(item.record) {
                    id = queued
                } else {
                    id = try await producer.send(item.record)
                }
                if let completion = item.completion {
                    waiters.wait(for: id, completion)
                }
            } catch let error as KafkaError {
                item.completion?(.failure(error))
            } catch {
                item.completion?(.failure(KafkaError(code: .shutDown, message: "\(error)")))
            }
        }
    }

    func finish() {
        continuation.finish()
        topicCheck.admin.shutdown()
    }
}
