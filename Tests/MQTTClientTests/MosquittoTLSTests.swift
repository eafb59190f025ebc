import Foundation
import MQTTCodec
import NIOCore
import NIOSSL
import Testing

@testable import MQTTClient

@Suite("Mosquitto: TLS")
struct MosquittoTLSTests {
    /// A self-signed certificate for `localhost`, made with the openssl command for this test.
    private static func makeCertificate() throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mqtt-client-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try runProgram(
            [
                "/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost",
            ],
            log: directory.appendingPathComponent("openssl.log").path
        )
        return (
            try String(contentsOfFile: certificate, encoding: .utf8), try String(contentsOfFile: key, encoding: .utf8)
        )
    }

    @Test func publishAndSubscribeOverTLS() async throws {
        let (certificate, key) = try Self.makeCertificate()
        try await Mosquitto.with(
            config: ["certfile $DIR/cert.pem", "keyfile $DIR/key.pem"],
            files: ["cert.pem": certificate, "key.pem": key]
        ) { broker in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)))
            let makeTLSClient = { (id: String) in
                makeClient(broker, id, version: .v5) {
                    $0.tls = tls
                    $0.tlsServerHostname = "localhost"
                }
            }
            let subscriber = makeTLSClient("tls-sub")
            let publisher = makeTLSClient("tls-pub")
            try await subscriber.connect()
            try await publisher.connect()
            let topic = uniqueTopic()
            try await subscriber.subscribe([TopicSubscription(topicFilter: topic, options: .init(qos: .atLeastOnce))])
            let collector = MessageCollector(subscriber.messages)
            let result = try await publisher.publish(
                topic: topic,
                payload: ByteBuffer(string: "secret"),
                qos: .atLeastOnce
            )
            #expect(result.isSuccess)
            #expect(try await collector.waitFor(1).first?.payload == ByteBuffer(string: "secret"))
            try await publisher.disconnect()
            try await subscriber.disconnect()

            // Without trusting the certificate the handshake fails: connect() reports it.
            let untrusting = makeClient(broker, "tls-untrusting", version: .v5) {
                $0.tls = TLSConfiguration.makeClientConfiguration()
                $0.tlsServerHostname = "localhost"
            }
            await #expect(throws: MQTTClientError(.connectFailed)) { try await untrusting.connect() }
            #expect(!untrusting.isConnected)
        }
    }
}
