import Crypto
import Foundation
import Testing

@testable import KafkaClient

@Suite struct SCRAMClientTests {
    /// RFC 7677 §3, the SCRAM-SHA-256 example exchange.
    @Test func rfc7677Example() throws {
        var client = SCRAMClient<SHA256>(username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(client.clientFirstMessage() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
        )
        #expect(
            final
                == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        )
        try client.verify(serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }

    /// RFC 5802 §5, the SCRAM-SHA-1 example: the same code with another hash.
    @Test func rfc5802Example() throws {
        var client = SCRAMClient<Insecure.SHA1>(username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        let final = try client.clientFinalMessage(
            serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
        )
        #expect(final == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        try client.verify(serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
    }

    @Test func aWrongServerSignatureOrAForeignNonceIsRejected() throws {
        var client = SCRAMClient<SHA512>(username: "a=b,c", password: "p", nonce: "abc")
        #expect(client.clientFirstMessage() == "n,,n=a=3Db=2Cc,r=abc")
        var foreign = client
        do {
            _ = try foreign.clientFinalMessage(serverFirst: "r=xyz123,s=QSXCR+Q6sek8bf92,i=4096")
            Issue.record("a nonce that does not extend ours was accepted")
        } catch {
            #expect(error is SCRAMClient<SHA512>.Failure)
        }
        _ = try client.clientFinalMessage(serverFirst: "r=abc123,s=QSXCR+Q6sek8bf92,i=16")
        #expect(throws: SCRAMClient<SHA512>.Failure.serverSignatureMismatch) {
            try client.verify(serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        }
        #expect(throws: SCRAMClient<SHA512>.Failure.serverError("unknown-user")) {
            try client.verify(serverFinal: "e=unknown-user")
        }
    }
}
