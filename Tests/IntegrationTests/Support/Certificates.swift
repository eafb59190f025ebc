import Foundation

/// A throwaway PKI made with the `openssl` command line for one test: a CA, a server
/// certificate for 127.0.0.1/localhost, a client certificate with a chosen Common Name, and a
/// second CA with its own client, to show what an unknown issuer gets. Removed by `remove()`.
struct TestCertificates: Sendable {
    let directory: URL

    var caCertificate: String { path("ca.pem") }
    var serverCertificate: String { path("server.pem") }
    var serverKey: String { path("server.key") }
    var clientCertificate: String { path("client.pem") }
    var clientKey: String { path("client.key") }
    /// A client certificate issued by another CA: the listener's `ca` does not vouch for it.
    var strangerCertificate: String { path("stranger.pem") }
    var strangerKey: String { path("stranger.key") }
    /// A valid private key that belongs to no certificate here.
    var unrelatedKey: String { path("unrelated.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    struct OpenSSLFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        var description: String { "openssl \(arguments.joined(separator: " ")) exited with \(status)" }
    }

    /// Makes every file; `clientCommonName` is the CN of `client.pem`.
    static func make(clientCommonName: String = "device-7") throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tributary-certs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificates = TestCertificates(directory: directory)
        try certificates.generate(clientCommonName: clientCommonName)
        return certificates
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func generate(clientCommonName: String) throws {
        let serverExtensions = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
        try serverExtensions.write(toFile: path("server.ext"), atomically: true, encoding: .utf8)
        try "extendedKeyUsage=clientAuth\n".write(toFile: path("client.ext"), atomically: true, encoding: .utf8)

        try makeAuthority("ca", commonName: "Tributary Test CA")
        try makeAuthority("other-ca", commonName: "Another CA")
        try makeLeaf("server", commonName: "localhost", issuer: "ca", extensions: "server.ext")
        try makeLeaf("client", commonName: clientCommonName, issuer: "ca", extensions: "client.ext")
        try makeLeaf("stranger", commonName: "stranger", issuer: "other-ca", extensions: "client.ext")
        try openssl([
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("unrelated.key"),
        ])
    }

    private func makeAuthority(_ name: String, commonName: String) throws {
        try openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).pem"), "-days", "2", "-subj", "/CN=\(commonName)",
        ])
    }

    private func makeLeaf(_ name: String, commonName: String, issuer: String, extensions: String) throws {
        try openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/O=Tributary Tests/CN=\(commonName)",
        ])
        try openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(issuer).pem"), "-CAkey", path("\(issuer).key"),
            "-CAcreateserial", "-out", path("\(name).pem"), "-days", "2", "-extfile", path(extensions),
        ])
    }

    private func openssl(_ arguments: [String]) throws {
        let status = try runToCompletion(try Peers.require("/usr/bin/openssl"), arguments)
        guard status == 0 else {
            throw OpenSSLFailed(arguments: arguments, status: status)
        }
    }
}
