import Crypto
import _CryptoExtras

/// A salted, iterated password hash: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2), stored as
/// `$pbkdf2-sha256$ITERATIONS$SALT_BASE64$HASH_BASE64` (standard Base64 with padding).
///
/// Deriving a hash is slow on purpose (≥ 210,000 iterations, OWASP's 2023 figure for
/// PBKDF2-HMAC-SHA256); the broker does it off the event loop (`Authenticator`).
public struct PasswordHash: Sendable, Hashable {
    /// Iterations for new hashes.
    public static let defaultIterations = 210_000
    /// Iterations above this are refused when reading a file: a typo must not make one login
    /// take minutes.
    public static let maximumIterations = 100_000_000
    static let prefix = "$pbkdf2-sha256$"

    public var iterations: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    public init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `password` with a fresh random 16-byte salt.
    public static func make(password: [UInt8], iterations: Int = defaultIterations) -> PasswordHash {
        var generator = SystemRandomNumberGenerator()  // getrandom(2) on Linux
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let hash = pbkdf2SHA256(password: password, salt: salt, iterations: iterations, length: 32)
        return PasswordHash(iterations: iterations, salt: salt, hash: hash)
    }

    /// Parses the stored form; nil when it is not a `$pbkdf2-sha256$` hash this broker can check.
    public init?(encoded: String) {
        guard encoded.hasPrefix(Self.prefix) else { return nil }
        let parts = encoded.dropFirst(Self.prefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, let iterations = Int(parts[0]), (1...Self.maximumIterations).contains(iterations),
            let salt = Base64.decode(parts[1]), !salt.isEmpty,
            let hash = Base64.decode(parts[2]), hash.count >= 16
        else { return nil }
        self.init(iterations: iterations, salt: salt, hash: hash)
    }

    /// `$pbkdf2-sha256$ITERATIONS$SALT$HASH`.
    public var encoded: String {
        "\(Self.prefix)\(iterations)$\(Base64.encode(salt))$\(Base64.encode(hash))"
    }

    /// Whether `password` hashes to this; the comparison takes the same time wherever the bytes
    /// differ.
    public func verify(password: [UInt8]) -> Bool {
        let candidate = Self.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, length: hash.count)
        return Self.constantTimeEqual(candidate, hash)
    }

    /// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) through swift-crypto's BoringSSL backend.
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int) -> [UInt8] {
        // The checked variant refuses fewer than 210,000 rounds; stored hashes and the RFC test
        // vectors may have fewer, and `init?(encoded:)` already bounds the count.
        let key = try! KDF.Insecure.PBKDF2.deriveKey(
            from: password,
            salt: salt,
            using: .sha256,
            outputByteCount: length,
            unsafeUncheckedRounds: iterations
        )
        return key.withUnsafeBytes { Array($0) }
    }

    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}

/// Standard Base64 (RFC 4648 §4) with padding, without Foundation.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let b0 = chunk[chunk.startIndex]
            let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
            let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            output.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 4 * 3)
        var index = 0
        while index < bytes.count {
            var values: [UInt8] = []
            var padding = 0
            for offset in 0..<4 {
                let byte = bytes[index + offset]
                if byte == UInt8(ascii: "=") {
                    // Padding only at the end of the last group, at most two.
                    guard index + 4 == bytes.count, offset >= 2 else { return nil }
                    padding += 1
                    values.append(0)
                } else {
                    guard padding == 0, let value = alphabet.firstIndex(of: byte) else { return nil }
                    values.append(UInt8(value))
                }
            }
            output.append(values[0] << 2 | values[1] >> 4)
            if padding < 2 { output.append(values[1] << 4 | values[2] >> 2) }
            if padding < 1 { output.append(values[2] << 6 | values[3]) }
            index += 4
        }
        return output
    }
}
