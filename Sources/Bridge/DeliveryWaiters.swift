import KafkaClient
import NIOConcurrencyHelpers

/// Connects the producer's delivery reports to whoever waits for each record.
///
/// The report of a record can arrive before `send` has returned its id to the dispatcher (a fast
/// broker, a thread switch), so either side may come first: the first one leaves its half here
/// and the second one completes the pair.
final class DeliveryWaiters: Sendable {
    typealias Completion = @Sendable (Result<Void, KafkaError>) -> Void

    private enum Entry {
        case waiting(Completion)
        case arrived(Result<Void, KafkaError>)
    }

    private let entries = NIOLockedValueBox<[UInt64: Entry]>([:])

    /// `send` returned `id`; `completion` runs once its report is there.
    func wait(for id: KafkaProducerMessageID, _ completion: @escaping Completion) {
        let arrived: Result<Void, KafkaError>? = entries.withLockedValue { entries in
            if case .arrived(let result) = entries.removeValue(forKey: id.rawValue) {
                return result
            }
            entries[id.rawValue] = .waiting(completion)
            return nil
        }
        if let arrived { completion(arrived) }
    }

    /// The producer's `onDelivery`.
    func delivered(_ result: KafkaProducer.DeliveryResult) {
        let id: UInt64
        let outcome: Result<Void, KafkaError>
        switch result {
        case .success(let report):
            id = report.id.rawValue
            outcome = .success(())
        case .failure(let failure):
            id = failure.id.rawValue
            outcome = .failure(failure.error)
        }
        let waiting: Completion? = entries.withLockedValue { entries in
            if case .waiting(let completion) = entries.removeValue(forKey: id) {
                return completion
            }
            entries[id] = .arrived(outcome)
            return nil
        }
        waiting?(outcome)
    }
}
