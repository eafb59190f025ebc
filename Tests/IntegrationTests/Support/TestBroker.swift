import Broker
import Logging
import NIOCore

/// A Tributary broker started in-process on an ephemeral loopback port for one test.
final class TestBroker: Sendable {
    let broker: MQTTBroker
    let port: Int

    private init(broker: MQTTBroker, port: Int) {
        self.broker = broker
        self.port = port
    }

    static func start(configure: (inout BrokerConfiguration) -> Void = { _ in }) async throws -> TestBroker {
        var configuration = BrokerConfiguration()
        configuration.listeners = [.init(host: "127.0.0.1", port: 0)]
        configuration.eventLoopThreads = 2
        configuration.systemTopicsIntervalSeconds = 0
        configure(&configuration)
        var logger = Logger(label: "test.broker")
        logger.logLevel = .critical
        let broker = try MQTTBroker(configuration: configuration, logger: logger)
        let addresses = try await broker.start()
        return TestBroker(broker: broker, port: addresses[0].port!)
    }

    func stop() async throws {
        try await broker.shutdown()
    }
}

/// Runs `body` with a started broker and always shuts it down.
func withBroker<Result>(
    configure: (inout BrokerConfiguration) -> Void = { _ in },
    _ body: (TestBroker) async throws -> Result
) async throws -> Result {
    let broker = try await TestBroker.start(configure: configure)
    do {
        let result = try await body(broker)
        try await broker.stop()
        return result
    } catch {
        try? await broker.stop()
        throw error
    }
}
