import Foundation
import MQTTCodec
import NIOCore
import NIOEmbedded
import Testing

@testable import Broker

/// The decisions `Authenticator` takes without hashing (the hashing path is covered by the
/// integration tests, which run it on the thread pool).
@Suite struct AuthAuthenticatorTests {
    private func decide(
        _ authenticator: Authenticator,
        username: String?,
        password: String? = nil
    ) -> Authenticator.Outcome? {
        let decision = authenticator.authenticate(
            username: username,
            password: password.map { ByteBuffer(string: $0) },
            eventLoop: EmbeddedEventLoop()
        )
        guard case .decided(let outcome) = decision else { return nil }
        return outcome
    }

    private func code(_ outcome: Authenticator.Outcome?) -> MQTTReasonCode? {
        guard case .refused(let code, _) = outcome else { return nil }
        return code
    }

    @Test func withoutConfigurationEveryoneIsAccepted() {
        let authenticator = Authenticator(configuration: .init())
        #expect(authenticator.isOpen)
        #expect(decide(authenticator, username: nil) == .accepted)
        #expect(decide(authenticator, username: "label") == .accepted)
    }

    @Test func anonymousOffRefusesClientsWithoutUserNameAs0x87() {
        let authenticator = Authenticator(configuration: .init(allowAnonymous: false))
        #expect(code(decide(authenticator, username: nil)) == .notAuthorized)
        // No password file: a user name proves nothing.
        #expect(code(decide(authenticator, username: "alice", password: "x")) == .notAuthorized)
    }

    @Test func aMissingPasswordIs0x86() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var file = PasswordFile()
        file.setHash(PasswordHash.make(password: Array("pw".utf8), iterations: 1_000), for: "alice")
        let path = directory.appendingPathComponent("passwd").path
        try file.text.write(toFile: path, atomically: true, encoding: .utf8)

        let authenticator = Authenticator(configuration: .init(allowAnonymous: true, passwordFile: path))
        #expect(authenticator.loadError == nil)
        #expect(!authenticator.isOpen)
        #expect(decide(authenticator, username: nil) == .accepted)
        #expect(code(decide(authenticator, username: "alice")) == .badUserNameOrPassword)
        #expect(code(decide(authenticator, username: "mallory")) == .badUserNameOrPassword)
    }

    @Test func anUnreadablePasswordFileFailsClosed() {
        let authenticator = Authenticator(
            configuration: .init(allowAnonymous: false, passwordFile: "/nonexistent/passwd")
        )
        #expect(authenticator.loadError != nil)
        #expect(code(decide(authenticator, username: "alice")) == .badUserNameOrPassword)
    }
}
