import Foundation
import NIOSSL

extension BrokerConfiguration.TLSSettings {
    /// Whether presented client certificates are verified (a `ca` is configured).
    var verifiesClientCertificates: Bool { certificateAuthorityPath != nil }

    /// The TLS configuration of a `tls` or `wss` listener, from its PEM files.
    ///
    /// Client certificates: with a `ca`, a certificate a client presents must chain to it; with
    /// `require-client-cert` a client without one is refused during the handshake. Host names are
    /// never checked on client certificates (`.noHostnameVerification`): clients have no host
    /// name to check against.
    ///
    /// - Parameter listener: names the listener in errors.
    /// - Throws: `ListenerError` naming the listener and the file at fault.
    func makeServerContext(listener: String) throws(ListenerError) -> NIOSSLContext {
        if (requireClientCertificate || useCommonNameAsUsername) && certificateAuthorityPath == nil {
            throw ListenerError(
                .certificateAuthorityRequired,
                listener: listener,
                "require-client-cert and use-identity-as-username need a ca to verify client certificates against"
            )
        }
        let chain = try Self.loadCertificates(certificatePath, setting: "cert", listener: listener)
        let key = try Self.loadPrivateKey(privateKeyPath, listener: listener)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        if let certificateAuthorityPath {
            let authorities = try Self.loadCertificates(certificateAuthorityPath, setting: "ca", listener: listener)
            configuration.trustRoots = .certificates(authorities)
            // Lets clients holding several certificates pick the one this CA issued.
            configuration.sendCANameList = true
            configuration.certificateVerification =
                requireClientCertificate ? .noHostnameVerification : .optionalVerification
        } else {
            configuration.certificateVerification = .none
        }
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ListenerError(
                .keyDoesNotMatchCertificate,
                listener: listener,
                file: privateKeyPath,
                "the private key does not belong to the certificate \(certificatePath), or either is unusable: \(error)"
            )
        }
    }

    private static func loadCertificates(
        _ path: String,
        setting: String,
        listener: String
    ) throws(ListenerError) -> [NIOSSLCertificate] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ListenerError(.certificateUnreadable, listener: listener, file: path, "\(setting): no readable file")
        }
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ListenerError(
                .certificateUnreadable,
                listener: listener,
                file: path,
                "\(setting): not a PEM certificate file (\(error))"
            )
        }
        guard !certificates.isEmpty else {
            throw ListenerError(
                .certificateUnreadable,
                listener: listener,
                file: path,
                "\(setting): the file holds no PEM certificate"
            )
        }
        return certificates
    }

    private static func loadPrivateKey(_ path: String, listener: String) throws(ListenerError) -> NIOSSLPrivateKey {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ListenerError(.privateKeyUnreadable, listener: listener, file: path, "key: no readable file")
        }
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw ListenerError(
                .privateKeyUnreadable,
                listener: listener,
                file: path,
                "key: not a PEM private key (\(error))"
            )
        }
    }
}
