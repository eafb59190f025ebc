import Atomics
import BrokerCore
import KafkaClient
import Logging
import NIOConcurrencyHelpers
import NIOCore

// Records: each becomes an MQTT message handed to the broker; its offset completes when the
// broker reports the hand-off, or when the dead-letter hook took it.
extension KafkaToMQTTBridge {
    func handle(_ record: KafkaConsumerRecord, consumer: KafkaConsumer) {
        // A record taken just before its partition was revoked is not started: the partition's
        // next owner reads it again from the committed offset.
        guard consumer.isAssigned(record.topicPartition) else { return }
        let ticket = state.withLockedValue { $0.tracker.begin(record.topicPartition, offset: record.offset) }
        counters.consumed.wrappingIncrement(ordering: .relaxed)
        switch mapping.message(for: record, now: .now()) {
        case .failure(let letter):
            counters.invalidTopic.wrappingIncrement(ordering: .relaxed)
            sendToDeadLetter(letter, ticket: ticket)
        case .success(let message):
            destination.publishFromBridge(message) { [self] outcome in
                if outcome.reachedNobody {
                    counters.noSubscriber.wrappingIncrement(ordering: .relaxed)
                    let detail =
                        outcome.dropped > 0
                        ? "all \(outcome.dropped) matching sessions dropped the message on \(message.topic)"
                        : "no session subscribes to \(message.topic)"
                    let letter = KafkaToMQTTDeadLetter(
                        mapping: name,
                        record: record,
                        mqttTopic: message.topic,
                        reason: .noSubscriber,
                        detail: detail
                    )
                    sendToDeadLetter(letter, ticket: ticket)
                } else {
                    counters.delivered.wrappingIncrement(ordering: .relaxed)
                    complete(ticket)
                }
            }
        }
    }

    func sendToDeadLetter(_ letter: KafkaToMQTTDeadLetter, ticket: KafkaToMQTTOffsetTracker.Ticket) {
        logger.warning(
            "record dead-lettered",
            metadata: [
                "reason": "\(letter.reason.rawValue)", "detail": "\(letter.detail)",
                "partition": "\(letter.record.topicPartition)", "offset": "\(letter.record.offset)",
            ]
        )
        guard let deadLetter else {
            complete(ticket)
            return
        }
        Task {
            await deadLetter(letter)
            self.complete(ticket)
        }
    }

    func complete(_ ticket: KafkaToMQTTOffsetTracker.Ticket) {
        let (wakeup, waiter): (AsyncStream<Void>.Continuation?, CheckedContinuation<Void, Never>?) =
            state.withLockedValue { state in
                guard state.tracker.complete(ticket) else { return (nil, nil) }
                return (state.commitWakeup, state.takeRoomWaiter(maximum: settings.maximumInFlight))
            }
        wakeup?.yield()
        waiter?.resume()
    }

    /// Returns when fewer than `maximumInFlight` records are in flight, or the task is cancelled.
    func waitForRoom() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now: Bool = state.withLockedValue { state in
                    if state.tracker.inFlight < settings.maximumInFlight || Task.isCancelled { return true }
                    state.roomWaiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
                defer { state.roomWaiter = nil }
                return state.roomWaiter
            }
            waiter?.resume()
        }
    }
}
