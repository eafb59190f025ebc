import Foundation
import KafkaClient
import NIOCore
import NIOSSL
import Testing

/// TLS and SASL as far as a peer here can check them. tansu 0.6 ignores `--cert` (it listens in
/// plain TCP), so TLS is terminated by the test's proxy (NIOSSL, BoringSSL) in front of tansu.
/// tansu's `--authentication` runs SCRAM, but users cannot be created in a memory-storage
/// broker that requires authentication, so the test goes as far as tansu's user check.
@Suite(.serialized) struct KafkaSecurityTests {
    /// A self-signed certificate for 127.0.0.1, made with the openssl command.
    static func makeCertificate() throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kafka-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let status = try runToCompletion(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ]
        )
        #expect(status == 0)
        return (
            try String(contentsOfFile: certificate, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8)
        )
    }

    @Test func adminAndProducerWorkOverTLS() async throws {
        let (certificate, key) = try Self.makeCertificate()
        let serverContext = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            )
        )
        let proxy = try await TansuProxy.start(tls: serverContext)
        defer { proxy.stop() }
        let tansu = try await TansuBroker.start(advertisedPort: proxy.port)
        defer { Task { await tansu.stop() } }
        proxy.setTarget(port: tansu.port)

        var configuration = KafkaClientConfiguration(bootstrapServers: [
            KafkaBrokerAddress(host: "127.0.0.1", port: proxy.port)
        ])
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem)])
        configuration.tls = tls
        let client = try KafkaClusterClient(configuration: configuration)
        defer { client.shutdown() }
        try await client.createTopic("secret", partitions: 1)
        let report = try await KafkaProducerTests.withProducer(KafkaProducerConfiguration(client: configuration)) {
            producer in
            try await producer.sendAndAwait(KafkaProducerMessage(topic: "secret", key: "k", value: "over tls"))
        }
        let fetched = try await client.fetch(topic: "secret", partition: 0, offset: report.offset)
        #expect(fetched.records.first.map { String(buffer: $0.value!) } == "over tls")
    }

    @Test func untrustedCertificateIsAnAuthenticationError() async throws {
        let (certificate, key) = try Self.makeCertificate()
        let serverContext = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))
            )
        )
        let proxy = try await TansuProxy.start(tls: serverContext)
        defer { proxy.stop() }
        let tansu = try await TansuBroker.start(advertisedPort: proxy.port)
        defer { Task { await tansu.stop() } }
        proxy.setTarget(port: tansu.port)
        var configuration = KafkaClientConfiguration(bootstrapServers: [
            KafkaBrokerAddress(host: "127.0.0.1", port: proxy.port)
        ])
        configuration.tls = TLSConfiguration.makeClientConfiguration()  // system roots: our certificate is unknown
        configuration.operationTimeout = .seconds(2)
        let client = try KafkaClusterClient(configuration: configuration)
        defer { client.shutdown() }
        let error = await #expect(throws: KafkaError.self) { try await client.listTopics() }
        #expect(error?.code == .authenticationFailed || error?.code == .connectionFailed)
    }

    @Test(arguments: ["SCRAM-SHA-256", "SCRAM-SHA-512"])
    func scramExchangeReachesTansusUserCheck(mechanism: String) async throws {
        let port = try LoopbackPort.pickFree()
        let url = "tcp://127.0.0.1:\(port)"
        let tansu = try PeerProcess(
            TansuBroker.executable,
            ["broker", "--listener-url", url, "--advertised-listener-url", url, "--authentication"]
        )
        defer { Task { await tansu.kill() } }
        _ = await pollUntil(timeout: .seconds(20), interval: .milliseconds(50)) { LoopbackPort.accepts(port) }

        var configuration = KafkaClientConfiguration(bootstrapServers: [
            KafkaBrokerAddress(host: "127.0.0.1", port: port)
        ])
        configuration.sasl =
            mechanism == "SCRAM-SHA-256"
            ? .scramSHA256(username: "alice", password: "secret") : .scramSHA512(username: "alice", password: "secret")
        configuration.operationTimeout = .seconds(2)
        let client = try KafkaClusterClient(configuration: configuration)
        defer { client.shutdown() }
        let error = await #expect(throws: KafkaError.self) { try await client.listTopics() }
        // tansu parsed our client-first message and looked the user up: e=unknown-user.
        #expect(error?.code == .authenticationFailed)
        #expect(error?.message.contains("unknown-user") == true, "\(String(describing: error))")
        #expect(error?.isRetriable == false)
    }
}
