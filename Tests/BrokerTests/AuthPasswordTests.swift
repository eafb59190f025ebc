import Testing

@testable import Broker

private func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// PBKDF2-HMAC-SHA256 and the password file format.
@Suite struct AuthPasswordTests {
    // RFC 7914 §11 (the PBKDF2-HMAC-SHA256 vectors of the scrypt RFC).
    @Test func rfc7914Vectors() {
        let first = PasswordHash.pbkdf2SHA256(
            password: Array("passwd".utf8),
            salt: Array("salt".utf8),
            iterations: 1,
            length: 64
        )
        #expect(
            first
                == hex(
                    "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                        + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
                )
        )
        let second = PasswordHash.pbkdf2SHA256(
            password: Array("Password".utf8),
            salt: Array("NaCl".utf8),
            iterations: 80_000,
            length: 64
        )
        #expect(
            second
                == hex(
                    "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                        + "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"
                )
        )
    }

    // The widely published PBKDF2-HMAC-SHA256 vectors in the shape of RFC 6070.
    @Test func rfc6070ShapedVectors() {
        let short = PasswordHash.pbkdf2SHA256(
            password: Array("password".utf8),
            salt: Array("salt".utf8),
            iterations: 4096,
            length: 32
        )
        #expect(short == hex("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"))
        let long = PasswordHash.pbkdf2SHA256(
            password: Array("passwordPASSWORDpassword".utf8),
            salt: Array("saltSALTsaltSALTsaltSALTsaltSALTsalt".utf8),
            iterations: 4096,
            length: 40
        )
        #expect(long == hex("348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"))
    }

    @Test func aHashVerifiesItsPasswordOnly() {
        let hash = PasswordHash.make(password: Array("s3cret".utf8), iterations: 1_000)
        #expect(hash.salt.count == 16)
        #expect(hash.hash.count == 32)
        #expect(hash.verify(password: Array("s3cret".utf8)))
        #expect(!hash.verify(password: Array("s3cres".utf8)))
        #expect(!hash.verify(password: []))
        let other = PasswordHash.make(password: Array("s3cret".utf8), iterations: 1_000)
        #expect(other.salt != hash.salt)  // a fresh salt every time
    }

    @Test func newHashesUseAtLeast210000Iterations() {
        #expect(PasswordHash.defaultIterations >= 210_000)
    }

    @Test func theEncodedFormRoundTrips() throws {
        let hash = PasswordHash(iterations: 210_000, salt: Array(0..<16), hash: Array(100..<132))
        #expect(hash.encoded.hasPrefix("$pbkdf2-sha256$210000$AAECAwQFBgcICQoLDA0ODw==$"))
        #expect(PasswordHash(encoded: hash.encoded) == hash)
        for length in 0..<7 {
            let bytes = (0..<length).map { UInt8($0 * 37 & 0xFF) }
            #expect(Base64.decode(Substring(Base64.encode(bytes))) == bytes)
        }
    }

    @Test func malformedHashesAreRefused() {
        #expect(PasswordHash(encoded: "$pbkdf2-sha512$1000$AAAA$AAAA") == nil)
        #expect(PasswordHash(encoded: "$pbkdf2-sha256$0$AAECAwQFBgcICQoLDA0ODw==$AAECAwQFBgcICQoLDA0ODw==") == nil)
        #expect(PasswordHash(encoded: "$pbkdf2-sha256$1000$not*base64$AAECAwQFBgcICQoLDA0ODw==") == nil)
        #expect(PasswordHash(encoded: "$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw==") == nil)
        #expect(PasswordHash(encoded: "plain") == nil)
    }

    @Test func aPasswordFileParsesAndKeepsCommentsOnUpdate() throws {
        let alice = PasswordHash(
            iterations: 1_000,
            salt: Array(repeating: 1, count: 16),
            hash: Array(repeating: 2, count: 32)
        )
        let bob = PasswordHash(
            iterations: 1_000,
            salt: Array(repeating: 3, count: 16),
            hash: Array(repeating: 4, count: 32)
        )
        let text = "# devices\n\nalice:\(alice.encoded)\r\nbob smith:\(bob.encoded)\n"
        var file = try PasswordFile(parsing: text)
        #expect(file.users == ["alice": alice, "bob smith": bob])

        let carol = PasswordHash(
            iterations: 1_000,
            salt: Array(repeating: 5, count: 16),
            hash: Array(repeating: 6, count: 32)
        )
        #expect(file.setHash(carol, for: "alice") == false)
        #expect(file.setHash(bob, for: "dave") == true)
        #expect(
            file.text == "# devices\n\nalice:\(carol.encoded)\nbob smith:\(bob.encoded)\ndave:\(bob.encoded)\n"
        )
        #expect(try PasswordFile(parsing: file.text) == file)
    }

    @Test func aPasswordFileReportsEveryBadLine() {
        let good = PasswordHash(
            iterations: 1_000,
            salt: Array(repeating: 1, count: 16),
            hash: Array(repeating: 2, count: 32)
        )
        let text = "alice:\(good.encoded)\nno colon here\n:\(good.encoded)\nbob:plaintext\nalice:\(good.encoded)\n"
        #expect(throws: PasswordFile.ParseError.self) { try PasswordFile(parsing: text) }
        do {
            _ = try PasswordFile(parsing: text)
        } catch {
            #expect(error.issues.map(\.line) == [2, 3, 4, 5])
        }
    }
}
