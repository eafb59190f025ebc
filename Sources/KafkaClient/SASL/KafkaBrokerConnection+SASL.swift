import Crypto
import KafkaProtocol
import NIOCore

extension KafkaBrokerConnection {
    /// SaslHandshake v1 then the mechanism's SaslAuthenticate rounds (KIP-152). Any failure is
    /// a non-retriable ``KafkaError/Code/authenticationFailed``.
    func authenticate(_ mechanism: KafkaSASLMechanism) async throws {
        guard try self.version(for: .saslHandshake) >= 1 else {
            throw KafkaError(
                code: .authenticationFailed,
                message:
                    "\(self.address) offers only SaslHandshake v0 (raw SASL tokens), which this client does not speak"
            )
        }
        let handshake = try await self.send(SaslHandshakeRequest(mechanism: mechanism.name))
        guard handshake.errorCode.isSuccess else {
            throw KafkaError(
                code: .authenticationFailed,
                message: "\(self.address) does not offer SASL \(mechanism.name) (it offers \(handshake.mechanisms)): "
                    + handshake.errorCode.name,
                brokerErrorCode: handshake.errorCode
            )
        }
        switch mechanism {
        case .plain(let username, let password):
            // RFC 4616: authzid NUL authcid NUL passwd (empty authzid).
            _ = try await self.saslRound(ByteBuffer(string: "\0\(username)\0\(password)"), mechanism)
        case .scramSHA256(let username, let password):
            try await self.scram(SCRAMClient<SHA256>(username: username, password: password), mechanism)
        case .scramSHA512(let username, let password):
            try await self.scram(SCRAMClient<SHA512>(username: username, password: password), mechanism)
        }
    }

    private func scram<Hash: HashFunction>(_ client: SCRAMClient<Hash>, _ mechanism: KafkaSASLMechanism) async throws {
        var client = client
        do {
            let serverFirst = try await self.saslRound(ByteBuffer(string: client.clientFirstMessage()), mechanism)
            let clientFinal = try client.clientFinalMessage(serverFirst: String(buffer: serverFirst))
            let serverFinal = try await self.saslRound(ByteBuffer(string: clientFinal), mechanism)
            try client.verify(serverFinal: String(buffer: serverFinal))
        } catch let error as SCRAMClient<Hash>.Failure {
            throw KafkaError(code: .authenticationFailed, message: "\(mechanism.name) with \(self.address): \(error)")
        }
    }

    private func saslRound(_ bytes: ByteBuffer, _ mechanism: KafkaSASLMechanism) async throws -> ByteBuffer {
        let response = try await self.send(SaslAuthenticateRequest(authBytes: bytes))
        guard response.errorCode.isSuccess else {
            throw KafkaError(
                code: .authenticationFailed,
                message: "\(mechanism.name) with \(self.address): \(response.errorCode.name)"
                    + (response.errorMessage.map { " (\($0))" } ?? ""),
                brokerErrorCode: response.errorCode
            )
        }
        return response.authBytes
    }
}
