import Broker
import BrokerCore
import Foundation
import Testing

/// `use-identity-as-username`: a verified client certificate's Common Name is the user name for
/// authentication and ACLs, with no password.
@Suite struct CertificateIdentityTests {
    @Test func theCertificateNameLogsInAndOpensItsOwnTopics() async throws {
        let certificates = try TestCertificates.make(clientCommonName: "generator-42")
        defer { certificates.remove() }
        let settings = certificates.settings(requireClientCertificate: true, useCommonNameAsUsername: true)
        try await withListeners(
            [.tls(settings)],
            configure: {
                // No password file and no anonymous access: only the certificate can log in.
                $0.authentication = BrokerConfiguration.Authentication(allowAnonymous: false, passwordFile: nil)
                $0.accessRules = [AccessRule(.allow, [.publish, .subscribe], topic: "devices/%u/#")]
            }
        ) { _, ports in
            let tls = [
                "--cafile", certificates.caCertificate, "--cert", certificates.clientCertificate, "--key",
                certificates.clientKey,
            ]
            let subscriber = try await MosquittoClients.subscribe(
                port: ports[0],
                topics: ["devices/generator-42/#"],
                version: .v5,
                qos: 1,
                extra: tls
            )
            let published = try await MosquittoClients.publish(
                port: ports[0],
                topic: "devices/generator-42/fuel",
                message: "0.8",
                version: .v5,
                qos: 1,
                extra: tls
            )
            #expect(published.status == 0)
            let messages = try await MosquittoClients.messages(1, from: subscriber)
            #expect(messages.map(\.payload) == ["0.8"])
            await subscriber.kill()
        }
    }
}
