import Foundation
import Testing
import TributaryConfiguration

/// Each kind of mistake is reported with its key path and line.
@Suite struct ConfigurationErrorTests {
    /// The single issue `text` produces, as `line: path: message`.
    private func only(_ text: String, existing: Set<String>? = nil) -> ConfigurationIssue? {
        let found = issues(text, existing: existing)
        #expect(found.count == 1, "\(found)")
        return found.first
    }

    @Test func anUnknownKeyNamesItsLine() throws {
        let issue = try #require(only("sys-interval: 5\nlimts: { max-connections: 3 }\n"))
        #expect(issue.line == 2)
        #expect(issue.keyPath == "limts")
        #expect(issue.message.hasPrefix("unknown key"))
    }

    @Test func anUnknownNestedKey() throws {
        let issue = try #require(only("limits:\n  max-connections: 3\n  max-conections: 4\n"))
        #expect(issue.line == 3)
        #expect(issue.keyPath == "limits.max-conections")
    }

    @Test func aBadBindReadsLikeACompilerDiagnostic() throws {
        let text = """
            listeners:
              - { type: tcp, bind: "127.0.0.1:1883" }
              - { type: tcp, bind: "abc" }
            """
        let issue = try #require(only(text))
        #expect(
            issue.description
                == #"tributary.yaml:3: listeners[1].bind: expected HOST:PORT with a port in 1–65535, got "abc""#
        )
    }

    @Test func aPortOutOfRange() throws {
        let issue = try #require(only("listeners:\n  - type: tcp\n    bind: \"0.0.0.0:70000\"\n"))
        #expect(issue.line == 3)
        #expect(issue.keyPath == "listeners[0].bind")
    }

    @Test func anUnknownListenerType() throws {
        let issue = try #require(only("listeners:\n  - { type: quic, bind: \":1\" }\n"))
        #expect(issue.line == 2)
        #expect(issue.keyPath == "listeners[0].type")
        #expect(issue.message.contains("unknown listener type \"quic\""))
    }

    @Test func aTLSListenerWithoutCertificate() throws {
        let issue = try #require(only("listeners:\n  - { type: tls, bind: \":8883\", key: k.pem }\n"))
        #expect(issue.line == 2)
        #expect(issue.keyPath == "listeners[0]")
        #expect(issue.message.contains("missing required key `cert`"))
    }

    @Test func aTLSKeyOnAPlainListener() throws {
        let issue = try #require(only("listeners:\n  - { type: tcp, bind: \":1883\", cert: c.pem }\n"))
        #expect(issue.keyPath == "listeners[0].cert")
        #expect(issue.message == "not allowed on a tcp listener")
    }

    @Test func aMissingCertificateFile() throws {
        let text = "listeners:\n  - type: tls\n    bind: \":8883\"\n    cert: c.pem\n    key: k.pem\n"
        let issue = try #require(only(text, existing: ["/etc/tributary/k.pem"]))
        #expect(issue.line == 4)
        #expect(issue.message == "file not found: /etc/tributary/c.pem")
    }

    @Test func anACLEntryWithBothAllowAndDeny() throws {
        let issue = try #require(
            only("acl:\n  - { allow: [publish], topic: a }\n  - { allow: [publish], deny: [subscribe], topic: b }\n")
        )
        #expect(issue.line == 3)
        #expect(issue.keyPath == "acl[1]")
    }

    @Test func anACLActionThatDoesNotExist() throws {
        let issue = try #require(only("acl:\n  - { allow: [publish, read], topic: a }\n"))
        #expect(issue.keyPath == "acl[0].allow")
        #expect(issue.message.contains("\"read\""))
    }

    @Test func aBadTopicFilter() throws {
        let issue = try #require(only("acl:\n  - allow: [subscribe]\n    topic: \"devices/#/x\"\n"))
        #expect(issue.line == 3)
        #expect(issue.keyPath == "acl[0].topic")
        #expect(issue.message.hasPrefix("invalid topic filter"))
    }

    @Test func aNegativeLimit() throws {
        let issue = try #require(only("limits:\n  max-queued-per-session: -1\n"))
        #expect(issue.line == 2)
        #expect(issue.keyPath == "limits.max-queued-per-session")
        #expect(issue.message.contains("out of range"))
    }

    @Test func aWrongType() throws {
        let issue = try #require(only("limits:\n  max-connections: lots\n"))
        #expect(issue.message == #"expected an integer, got "lots""#)
        let flag = try #require(only("auth:\n  allow-anonymous: sometimes\n"))
        #expect(flag.line == 2)
        #expect(flag.message == #"expected true or false, got "sometimes""#)
        let list = try #require(only("listeners: { type: tcp }\n"))
        #expect(list.message == "expected a list, got a mapping")
    }

    @Test func anUnknownDurability() throws {
        let issue = try #require(only("durability: maybe\n"))
        #expect(issue.message == #"expected one of fsync, process, none, got "maybe""#)
    }

    @Test func aMappingOnAnUnknownCluster() throws {
        let text = """
            kafka:
              clusters: [{ name: main, bootstrap: ["k:9092"] }]
              mqtt-to-kafka:
                - { name: t, cluster: other, mqtt-topic-filters: ["a/#"], kafka-topic: t }
            """
        let issue = try #require(only(text))
        #expect(issue.line == 4)
        #expect(issue.keyPath == "kafka.mqtt-to-kafka[0].cluster")
    }

    @Test func anUnknownTemplatePlaceholder() throws {
        let text = """
            kafka:
              clusters: [{ name: main, bootstrap: ["k:9092"] }]
              kafka-to-mqtt:
                - { name: c, kafka-topics: [c], mqtt-topic: "x/${clientid}" }
            """
        let issue = try #require(only(text))
        #expect(issue.keyPath == "kafka.kafka-to-mqtt[0].mqtt-topic")
        #expect(issue.message.contains("${clientid}"))
    }

    @Test func invalidYAMLHasALine() throws {
        let issue = try #require(only("listeners:\n  - { type: tcp\nlimits: {}\n"))
        #expect(issue.line != nil)
        #expect(issue.message.hasPrefix("invalid YAML"))
    }

    @Test func aDuplicateKeyNamesTheMapping() throws {
        let issue = try #require(only("sys-interval: 1\nlimits:\n  max-connections: 1\n  max-connections: 2\n"))
        #expect(issue.line == 3)
        #expect(issue.message.contains("`max-connections`"))
    }

    @Test func everyErrorIsCollected() {
        let text = """
            data-dir: ./data
            listeners:
              - { type: tcp, bind: "abc" }
              - { type: tls, bind: ":88883" }
            auth: { allow-anonymous: perhaps }
            acl:
              - { allow: [publish], deny: [publish], topic: "a/#/b" }
            limits:
              max-connections: -5
              max-packet-size: 10
            bogus: 1
            """
        let found = issues(text)
        let summary = found.map { "\($0.line ?? 0) \($0.keyPath)" }
        #expect(
            summary == [
                "3 listeners[0].bind",
                "4 listeners[1].bind",
                "4 listeners[1]",
                "4 listeners[1]",
                "5 auth.allow-anonymous",
                "7 acl[0]",
                "7 acl[0].topic",
                "9 limits.max-connections",
                "10 limits.max-packet-size",
                "11 bogus",
            ]
        )
    }
}

/// A malformed password file is a configuration error, found before any client logs in.
@Suite struct PasswordFileConfigurationTests {
    @Test func badLinesOfThePasswordFileAreReported() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("passwd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "# users\nalice:plaintext\n".write(
            to: directory.appendingPathComponent("passwd"),
            atomically: true,
            encoding: .utf8
        )
        let found = issues_(
            "auth:\n  password-file: passwd\n",
            baseDirectory: directory.path
        )
        #expect(found.count == 1)
        #expect(found.first?.line == 2)
        #expect(found.first?.keyPath == "auth.password-file")
        #expect(found.first?.message.contains("line 2") == true)
    }

    private func issues_(_ text: String, baseDirectory: String) -> [ConfigurationIssue] {
        do {
            _ = try TributaryConfiguration.parse(text, fileName: "t.yaml", baseDirectory: baseDirectory)
            return []
        } catch {
            return error.issues
        }
    }
}
