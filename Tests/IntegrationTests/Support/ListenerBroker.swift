import Broker
import Logging
import NIOCore

/// Runs `body` with an in-process broker serving the given listener kinds on ephemeral loopback
/// ports (returned in the same order), and always shuts it down.
func withListeners<Result>(
    _ kinds: [BrokerConfiguration.Listener.Kind],
    configure: (inout BrokerConfiguration) -> Void = { _ in },
    _ body: (MQTTBroker, [Int]) async throws -> Result
) async throws -> Result {
    var configuration = BrokerConfiguration()
    configuration.listeners = kinds.map { BrokerConfiguration.Listener($0, host: "127.0.0.1", port: 0) }
    configuration.eventLoopThreads = 2
    configuration.systemTopicsIntervalSeconds = 0
    configure(&configuration)
    var logger = Logger(label: "test.broker")
    logger.logLevel = .critical
    let broker = try MQTTBroker(configuration: configuration, logger: logger)
    do {
        let ports = try await broker.start().map { $0.port! }
        let result = try await body(broker, ports)
        try await broker.shutdown()
        return result
    } catch {
        try? await broker.shutdown()
        throw error
    }
}

extension TestCertificates {
    /// The listener settings for these files.
    func settings(
        withCertificateAuthority: Bool = true,
        requireClientCertificate: Bool = false,
        useCommonNameAsUsername: Bool = false
    ) -> BrokerConfiguration.TLSSettings {
        BrokerConfiguration.TLSSettings(
            certificatePath: serverCertificate,
            privateKeyPath: serverKey,
            certificateAuthorityPath: withCertificateAuthority ? caCertificate : nil,
            requireClientCertificate: requireClientCertificate,
            useCommonNameAsUsername: useCommonNameAsUsername
        )
    }
}
