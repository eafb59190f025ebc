import Dispatch
import Histogram
import Logging
import MQTTClient
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Runs one benchmark against any MQTT broker.
struct BenchRunner {
    var options: BenchOptions
    var eventLoopGroup: any EventLoopGroup
    var logger: Logger

    func run() async throws -> BenchResult {
        let run = Self.uniqueRunID()
        let scenario = BenchScenario(
            topology: options.topology,
            connections: options.connections,
            topicRoot: "bench/\(run)"
        )
        let credits = (0..<scenario.publishers).map { _ in
            PublishCredits(messages: options.inFlight, deliveriesPerMessage: scenario.deliveriesPerMessage)
        }
        let tracker = DeliveryTracker()
        let errors = DeliveryTracker()

        let subscribers = try await connect(count: scenario.subscribers, role: "sub-\(run)")
        for (index, subscriber) in subscribers.enumerated() {
            try await subscriber.subscribe([
                TopicSubscription(
                    topicFilter: scenario.subscriptionFilter(subscriber: index),
                    options: SubscriptionOptions(qos: options.qos)
                )
            ])
        }
        let publishers = try await connect(count: scenario.publishers, role: "pub-\(run)")

        let start = DispatchTime.now().uptimeNanoseconds
        let windowStart = start + nanoseconds(options.warmup)
        let windowEnd = windowStart + nanoseconds(options.duration)

        return try await withThrowingTaskGroup(of: Void.self) { group in
            let subscriberResults = SubscriberResults(count: subscribers.count)
            for (index, subscriber) in subscribers.enumerated() {
                group.addTask {
                    var stats = SubscriberStats()
                    var lastSequence: [UInt32: UInt32] = [:]
                    for try await message in subscriber.messages {
                        guard let payload = BenchPayload(message.payload) else { continue }
                        let now = DispatchTime.now().uptimeNanoseconds
                        stats.received += 1
                        if payload.sentAt >= windowStart && payload.sentAt < windowEnd {
                            stats.receivedInWindow += 1
                            _ = stats.latency.record(now &- payload.sentAt)
                        }
                        if let last = lastSequence[payload.publisher], payload.sequence <= last {
                            stats.outOfOrder += 1
                        }
                        lastSequence[payload.publisher] = payload.sequence
                        if Int(payload.publisher) < credits.count {
                            credits[Int(payload.publisher)].received()
                        }
                        tracker.arrived()
                    }
                    subscriberResults.store(stats, at: index)
                }
            }

            // At the end of the window the publishers stop even if they wait for credits that
            // will never come back (messages the broker dropped, which then count as lost).
            group.addTask {
                let now = DispatchTime.now().uptimeNanoseconds
                if windowEnd > now { try? await Task.sleep(nanoseconds: windowEnd - now) }
                for credit in credits { credit.finish() }
            }

            let publisherResults = PublisherResults(count: publishers.count)
            let options = self.options
            let allocator = ByteBufferAllocator()
            await withTaskGroup(of: Void.self) { publishing in
                for (index, publisher) in publishers.enumerated() {
                    publishing.addTask {
                        var stats = PublisherStats()
                        let topic = scenario.publishTopic(publisher: index)
                        let interval = options.rate.map { 1_000_000_000 / UInt64(max(1, $0)) }
                        var nextSend = DispatchTime.now().uptimeNanoseconds
                        var sequence: UInt32 = 0
                        sending: while true {
                            let granted = await credits[index].acquire()
                            if granted == 0 { break }
                            for sent in 0..<granted {
                                var now = DispatchTime.now().uptimeNanoseconds
                                if now >= windowEnd {
                                    credits[index].returnUnsent(granted - sent)
                                    break sending
                                }
                                if let interval {
                                    if nextSend > now {
                                        try? await Task.sleep(nanoseconds: nextSend - now)
                                        now = DispatchTime.now().uptimeNanoseconds
                                    }
                                    nextSend += interval
                                }
                                sequence &+= 1
                                let payload = BenchPayload(sentAt: now, publisher: UInt32(index), sequence: sequence)
                                publisher.publish(
                                    topic: topic,
                                    payload: payload.encode(size: options.payloadSize, allocator: allocator),
                                    qos: options.qos
                                ) { result in
                                    if case .failure = result { errors.arrived() }
                                }
                                stats.sent += 1
                                if now >= windowStart { stats.sentInWindow += 1 }
                            }
                        }
                        publisherResults.store(stats, at: index)
                    }
                }
            }

            let sent = publisherResults.all.reduce(0) { $0 + $1.sent }
            let expected = sent * scenario.deliveriesPerMessage
            let complete = await tracker.waitFor(expected, timeout: options.drainTimeout)
            if !complete {
                logger.warning(
                    "deliveries missing after the drain period",
                    metadata: ["expected": "\(expected)", "received": "\(tracker.received)"]
                )
            }
            for credit in credits { credit.finish() }
            for client in publishers + subscribers {
                try? await client.disconnect()
            }
            try await group.waitForAll()

            let subscriberStats = subscriberResults.all
            var latency = Histogram<UInt64>(
                highestTrackableValue: 60_000_000_000,
                numberOfSignificantValueDigits: .three
            )
            for stats in subscriberStats { latency.add(stats.latency) }
            let seconds = Double(nanoseconds(options.duration)) / 1e9
            let received = subscriberStats.reduce(0) { $0 + $1.received }
            func milliseconds(_ nanoseconds: UInt64) -> Double { Double(nanoseconds) / 1e6 }
            return BenchResult(
                scenario: options.topology.rawValue,
                qos: Int(options.qos.rawValue),
                connections: options.connections,
                payloadSize: options.payloadSize,
                durationSeconds: seconds,
                sentPerSecond: Double(publisherResults.all.reduce(0) { $0 + $1.sentInWindow }) / seconds,
                receivedPerSecond: Double(subscriberStats.reduce(0) { $0 + $1.receivedInWindow }) / seconds,
                sent: sent,
                expectedDeliveries: expected,
                received: received,
                lost: max(0, expected - received),
                outOfOrder: subscriberStats.reduce(0) { $0 + $1.outOfOrder },
                publishErrors: errors.received,
                latencyMilliseconds: .init(
                    p50: milliseconds(latency.valueAtPercentile(50)),
                    p90: milliseconds(latency.valueAtPercentile(90)),
                    p99: milliseconds(latency.valueAtPercentile(99)),
                    p999: milliseconds(latency.valueAtPercentile(99.9)),
                    max: milliseconds(latency.maxRecorded)
                )
            )
        }
    }

    private func connect(count: Int, role: String) async throws -> [MQTTClient] {
        try await withThrowingTaskGroup(of: (Int, MQTTClient).self) { group in
            for index in 0..<count {
                group.addTask {
                    var configuration = MQTTClient.Configuration(
                        host: options.host,
                        port: options.port,
                        clientID: "\(role)-\(index)",
                        protocolVersion: options.protocolVersion
                    )
                    if options.persistentSessions {
                        configuration.cleanStart = false
                        if options.protocolVersion == .v5 { configuration.sessionExpiryInterval = 3_600 }
                    }
                    configuration.maximumInFlight = max(1, options.inFlight)
                    configuration.messageBufferSize = 4_096
                    let client = MQTTClient(
                        configuration: configuration,
                        eventLoopGroup: eventLoopGroup,
                        logger: logger
                    )
                    _ = try await client.connect()
                    return (index, client)
                }
            }
            var clients = [MQTTClient?](repeating: nil, count: count)
            for try await (index, client) in group { clients[index] = client }
            return clients.map { $0! }
        }
    }

    private func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(duration.components.seconds) * 1_000_000_000 + UInt64(duration.components.attoseconds / 1_000_000_000)
    }

    /// A short random name that keeps the topics and client identifiers of runs apart.
    static func uniqueRunID() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt32, radix: 36)
    }
}

/// Per-task results, written once by each task when it ends.
private final class TaskResults<Stats: Sendable>: Sendable {
    private let storage: NIOLockedValueBox<[Stats?]>

    init(count: Int) { storage = NIOLockedValueBox([Stats?](repeating: nil, count: count)) }

    func store(_ stats: Stats, at index: Int) { storage.withLockedValue { $0[index] = stats } }

    var all: [Stats] { storage.withLockedValue { $0.compactMap { $0 } } }
}

private typealias SubscriberResults = TaskResults<SubscriberStats>
private typealias PublisherResults = TaskResults<PublisherStats>

private struct SubscriberStats: Sendable {
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    var receivedInWindow = 0
    var received = 0
    var outOfOrder = 0
}

private struct PublisherStats: Sendable {
    var sent = 0
    var sentInWindow = 0
}
