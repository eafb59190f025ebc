import Atomics
import Crypto
import Foundation
import Logging
import MQTTCodec
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Checks CONNECT credentials against `auth:` (anonymous access, password file).
///
/// Password hashes are slow on purpose, so they are verified on a thread pool, never on an event
/// loop; verified results are cached (keyed by the user and an HMAC of the password under a
/// per-process random key, so no password is kept) so that a reconnect storm costs one hash per
/// distinct credential, not one per connection.
final class Authenticator: Sendable {
    enum Outcome: Sendable, Equatable {
        case accepted
        /// The CONNACK reason code: 0x86 Bad User Name or Password (3.1.1 return code 4),
        /// 0x87 Not authorized (code 5) or 0x89 Server busy (code 3).
        case refused(MQTTReasonCode, String)
    }

    enum Decision {
        case decided(Outcome)
        /// The password must be hashed; the future completes on the given event loop.
        case pending(EventLoopFuture<Outcome>)
    }

    /// Verifications queued or running; above this new ones are refused as Server busy.
    static let maximumPending = 256
    /// Cached results; the cache is emptied when it grows past this.
    static let maximumCached = 10_000

    private struct CacheKey: Hashable {
        var username: String
        var passwordDigest: [UInt8]
    }

    let allowAnonymous: Bool
    /// nil: no password file configured.
    private let users: [String: PasswordHash]?
    /// Why the password file could not be loaded; the broker refuses to start then.
    let loadError: (any Error)?
    private let cacheKey = SymmetricKey(size: .bits256)
    private let cache = NIOLockedValueBox<[CacheKey: Outcome]>([:])
    private let pending = ManagedAtomic<Int>(0)
    private let threadPool: NIOThreadPool

    init(configuration: BrokerConfiguration.Authentication, threadPool: NIOThreadPool = .singleton) {
        allowAnonymous = configuration.allowAnonymous
        self.threadPool = threadPool
        guard let path = configuration.passwordFile else {
            users = nil
            loadError = nil
            return
        }
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            users = try PasswordFile(parsing: text).users
            loadError = nil
        } catch {
            // Fail closed: nobody with a user name gets in.
            users = [:]
            loadError = AuthenticationSetupError(path: path, underlying: "\(error)")
        }
    }

    /// Whether CONNECT needs any check at all.
    var isOpen: Bool { allowAnonymous && users == nil }

    func authenticate(username: String?, password: ByteBuffer?, eventLoop: any EventLoop) -> Decision {
        guard let username else {
            return .decided(allowAnonymous ? .accepted : .refused(.notAuthorized, "anonymous access is off"))
        }
        guard let users else {
            // No password file: a user name is just a label, accepted only where anonymous is.
            return .decided(allowAnonymous ? .accepted : .refused(.notAuthorized, "no password file configured"))
        }
        guard let password else {
            return .decided(.refused(.badUserNameOrPassword, "no password"))
        }
        // An unknown user costs the same hash as a known one, so that answer times do not tell
        // which user names exist.
        let known = users[username]
        let hash = known ?? Self.unknownUserHash
        let passwordBytes = Array(password.readableBytesView)
        let key = CacheKey(
            username: username,
            passwordDigest: Array(HMAC<SHA256>.authenticationCode(for: passwordBytes, using: cacheKey))
        )
        if let cached = cache.withLockedValue({ $0[key] }) {
            return .decided(cached)
        }
        guard pending.loadThenWrappingIncrement(ordering: .relaxed) < Self.maximumPending else {
            pending.wrappingDecrement(ordering: .relaxed)
            return .decided(.refused(.serverBusy, "too many logins being verified"))
        }
        let cache = self.cache
        let pending = self.pending
        let future = threadPool.runIfActive(eventLoop: eventLoop) {
            defer { pending.wrappingDecrement(ordering: .relaxed) }
            let valid = hash.verify(password: passwordBytes)
            let outcome: Outcome =
                known == nil
                ? .refused(.badUserNameOrPassword, "unknown user")
                : valid ? .accepted : .refused(.badUserNameOrPassword, "wrong password")
            cache.withLockedValue { cache in
                if cache.count >= Self.maximumCached { cache.removeAll(keepingCapacity: true) }
                cache[key] = outcome
            }
            return outcome
        }
        future.whenFailure { _ in pending.wrappingDecrement(ordering: .relaxed) }  // the pool was shut down
        return .pending(future)
    }

    /// Checked against for user names that are not in the file; no password matches it.
    private static let unknownUserHash = PasswordHash(
        iterations: PasswordHash.defaultIterations,
        salt: Array(repeating: 0, count: 16),
        hash: Array(repeating: 0, count: 32)
    )
}

/// The password file named in `auth.password-file` could not be read or parsed.
public struct AuthenticationSetupError: Error, CustomStringConvertible {
    public var path: String
    public var underlying: String

    public var description: String { "cannot use password file \(path): \(underlying)" }
}
