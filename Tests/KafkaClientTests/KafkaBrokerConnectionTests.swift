import KafkaProtocol
import NIOCore
import NIOPosix
import Testing

@testable import KafkaClient

/// One broker connection against a scripted broker: pipelining, matching answers by
/// correlation id, request timeouts and version negotiation.
@Suite struct KafkaBrokerConnectionTests {
    private func connect(
        _ broker: FakeKafkaBroker,
        requestTimeout: Duration = .seconds(10)
    ) async throws -> KafkaBrokerConnection {
        var configuration = KafkaClientConfiguration(bootstrapServers: [.init(host: "127.0.0.1", port: broker.port)])
        configuration.requestTimeout = requestTimeout
        return try await KafkaBrokerConnection.connect(
            to: configuration.bootstrapServers[0],
            configuration: configuration,
            group: MultiThreadedEventLoopGroup.singleton
        )
    }

    @Test func pipelinedAnswersInAnyOrderReachTheirRequests() async throws {
        let broker = try await FakeKafkaBroker.start(metadata: .reversed(count: 3))
        defer { broker.stop() }
        let connection = try await self.connect(broker)
        defer { connection.close() }
        // All three are written before any answer comes back; the broker answers last first.
        let futures = (0..<3).map { connection.sendFuture(MetadataRequest(topicNames: ["topic-\($0)"])) }
        for (index, future) in futures.enumerated() {
            let response = try await future.get()
            #expect(response.topics.map(\.name) == ["topic-\(index)"])
        }
        #expect(connection.versions.outcomes[.metadata] == .version(12))
    }

    @Test func anUnansweredRequestTimesOutAndClosesTheConnection() async throws {
        let broker = try await FakeKafkaBroker.start(metadata: .never)
        defer { broker.stop() }
        let connection = try await self.connect(broker, requestTimeout: .milliseconds(200))
        let first = connection.sendFuture(MetadataRequest(topicNames: ["a"]))
        let second = connection.sendFuture(MetadataRequest(topicNames: ["b"]))
        for future in [first, second] {
            do {
                _ = try await future.get()
                Issue.record("a request without an answer succeeded")
            } catch let error as KafkaError {
                #expect([.requestTimedOut, .connectionClosed].contains(error.code))
                #expect(error.isRetriable)
            }
        }
        try await connection.closeFuture.get()
        #expect(!connection.isActive)
        // A request on the closed connection fails at once instead of waiting forever.
        await #expect(throws: KafkaError.self) { try await connection.send(MetadataRequest(topicNames: ["c"])) }
    }

    @Test func noCommonVersionIsAClearError() async throws {
        var versions = FakeKafkaBroker.allImplemented.filter { $0.apiKey != .metadata }
        versions.append(.init(apiKey: .metadata, minVersion: 0, maxVersion: 0))
        let broker = try await FakeKafkaBroker.start(apiVersions: versions, metadata: .inOrder)
        defer { broker.stop() }
        let connection = try await self.connect(broker)
        defer { connection.close() }
        let error = await #expect(throws: KafkaError.self) {
            try await connection.send(MetadataRequest(topicNames: ["a"]))
        }
        #expect(error?.code == .noCommonVersion)
        #expect(error?.message.contains("v1-12") == true, "\(String(describing: error))")
        #expect(error?.isRetriable == false)
    }
}
