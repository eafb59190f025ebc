import Crypto
import Foundation

/// The client side of a SCRAM exchange (RFC 5802 §3 and §5), without channel binding
/// (GS2 header `n,,`), as Kafka uses it. A value type driven by the server's messages, so it is
/// tested against RFC 7677's example without a network.
struct SCRAMClient<Hash: HashFunction>: Sendable {
    enum Failure: Error, Equatable {
        /// The server sent something that is not a valid SCRAM message, or a nonce that does not
        /// extend ours.
        case invalidServerMessage(String)
        /// The server said no (`e=...`, RFC 5802 §7 server-error).
        case serverError(String)
        /// The server's signature does not match: it does not know the password.
        case serverSignatureMismatch
    }

    private let username: String
    private let password: String
    private let clientNonce: String
    private var clientFirstBare: String { "n=\(Self.escape(self.username)),r=\(self.clientNonce)" }
    private var expectedServerSignature: [UInt8]?

    /// `nonce` defaults to 24 random bytes in base64 (printable, without ',').
    init(username: String, password: String, nonce: String? = nil) {
        self.username = username
        self.password = password
        self.clientNonce =
            nonce ?? Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
    }

    /// client-first-message: GS2 header `n,,` then `n=user,r=nonce`.
    func clientFirstMessage() -> String {
        "n,," + self.clientFirstBare
    }

    /// Reads server-first-message and returns client-final-message (with the proof).
    mutating func clientFinalMessage(serverFirst: String) throws -> String {
        let attributes = try Self.attributes(serverFirst)
        if let error = attributes["e"] { throw Failure.serverError(error) }
        guard let nonce = attributes["r"], nonce.hasPrefix(self.clientNonce), nonce.count > self.clientNonce.count,
            let saltText = attributes["s"], let salt = Data(base64Encoded: saltText),
            let iterationsText = attributes["i"], let iterations = Int(iterationsText), iterations > 0
        else { throw Failure.invalidServerMessage(serverFirst) }
        // "c=biws": base64 of the GS2 header "n,," (no channel binding).
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = "\(self.clientFirstBare),\(serverFirst),\(withoutProof)"
        let saltedPassword = Self.pbkdf2(password: Array(self.password.utf8), salt: Array(salt), iterations: iterations)
        let clientKey = Self.hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = Array(Hash.hash(data: clientKey))
        let clientSignature = Self.hmac(key: storedKey, Array(authMessage.utf8))
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = Self.hmac(key: saltedPassword, Array("Server Key".utf8))
        self.expectedServerSignature = Self.hmac(key: serverKey, Array(authMessage.utf8))
        return withoutProof + ",p=" + Data(proof).base64EncodedString()
    }

    /// Checks server-final-message: the server proves it knows the password too.
    func verify(serverFinal: String) throws {
        let attributes = try Self.attributes(serverFinal)
        if let error = attributes["e"] { throw Failure.serverError(error) }
        guard let text = attributes["v"], let signature = Data(base64Encoded: text) else {
            throw Failure.invalidServerMessage(serverFinal)
        }
        guard let expected = self.expectedServerSignature, Array(signature) == expected else {
            throw Failure.serverSignatureMismatch
        }
    }

    /// RFC 5802 §5.1: "=" and "," in a user name become "=3D" and "=2C".
    static func escape(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    private static func attributes(_ message: String) throws -> [String: String] {
        var attributes: [String: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: false) {
            guard part.count >= 2, part[part.index(after: part.startIndex)] == "=" else {
                throw Failure.invalidServerMessage(message)
            }
            attributes[String(part.first!)] = String(part.dropFirst(2))
        }
        return attributes
    }

    static func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        Array(HMAC<Hash>.authenticationCode(for: data, using: SymmetricKey(data: key)))
    }

    /// Hi() of RFC 5802 §2.2: PBKDF2 with HMAC-Hash, one block of the hash's output length.
    static func pbkdf2(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var block = Array(HMAC<Hash>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<iterations {
            block = Array(HMAC<Hash>.authenticationCode(for: block, using: key))
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }
}
