import Broker
import Foundation
import Testing

/// A password file with these users, hashed with few iterations so tests stay quick (the format
/// carries the count; `tributary passwd` writes 210,000).
func writePasswordFile(_ users: [String: String], in directory: URL) throws -> String {
    var file = PasswordFile()
    for (user, password) in users.sorted(by: { $0.key < $1.key }) {
        file.setHash(PasswordHash.make(password: Array(password.utf8), iterations: 1_000), for: user)
    }
    let path = directory.appendingPathComponent("passwd").path
    try file.text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs mosquitto_pub until it printed a line containing `text` (waiting for the line itself:
/// the output can trail the exit) and returns its exit status.
func mosquittoPubPrinting(
    _ text: String,
    port: Int,
    version: MosquittoClients.Version,
    qos: Int = 0,
    topic: String = uniqueName("t"),
    extra: [String] = []
) async throws -> Int32 {
    var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-V", version.rawValue, "-q", "\(qos)"]
    arguments += ["-t", topic, "-m", "hi"] + extra
    let process = try PeerProcess(Peers.mosquittoPub, arguments)
    try await process.nextLine("a line with \(text)") { $0.contains(text) }
    return try await process.waitForExit(timeout: .seconds(15))
}

extension PahoPuppet {
    /// Connects with a user name and password and returns the CONNACK event.
    func connect(
        clientID: String,
        version: Int,
        username: String,
        password: String?,
        cleanStart: Bool = true,
        properties: JSONValue = [:]
    ) async throws -> JSONValue {
        var command: [String: JSONValue] = [
            "cmd": "connect", "port": .number(port), "client_id": .string(clientID), "version": .number(version),
            "clean_start": .bool(cleanStart), "keepalive": 60, "properties": properties,
            "username": .string(username),
        ]
        if let password { command["password"] = .string(password) }
        self.command(.object(command))
        return try await next("connack")
    }
}

/// Password file and anonymous access, checked with mosquitto_pub and paho.
@Suite(.timeLimit(.minutes(2))) struct AuthTests {
    private func withAuthBroker(
        allowAnonymous: Bool = false,
        _ body: (TestBroker) async throws -> Void
    ) async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = try writePasswordFile(["alice": "wonderland", "bob smith": "builder"], in: directory)
        try await withBroker(configure: {
            $0.authentication = .init(allowAnonymous: allowAnonymous, passwordFile: passwordFile)
        }) { broker in
            try await body(broker)
        }
    }

    @Test(arguments: [MosquittoClients.Version.v311, .v5])
    func theRightPasswordConnects(version: MosquittoClients.Version) async throws {
        try await withAuthBroker { broker in
            let result = try await MosquittoClients.publish(
                port: broker.port,
                topic: uniqueName("t"),
                message: "hi",
                version: version,
                qos: 1,
                extra: ["-u", "alice", "-P", "wonderland"]
            )
            #expect(result.status == 0, "\(result.output)")
            let spaced = try await MosquittoClients.publish(
                port: broker.port,
                topic: uniqueName("t"),
                message: "hi",
                version: version,
                extra: ["-u", "bob smith", "-P", "builder"]
            )
            #expect(spaced.status == 0, "\(spaced.output)")
        }
    }

    @Test func v5WrongPasswordOrUnknownUserGets0x86() async throws {
        try await withAuthBroker { broker in
            let wrong = try await PahoPuppet.start(port: broker.port)
            let connack = try await wrong.connect(
                clientID: uniqueName("c"),
                version: 5,
                username: "alice",
                password: "queen"
            )
            #expect(connack["reason_code"]?.int == 0x86)
            let unknown = try await PahoPuppet.start(port: broker.port)
            let other = try await unknown.connect(
                clientID: uniqueName("c"),
                version: 5,
                username: "mallory",
                password: "x"
            )
            #expect(other["reason_code"]?.int == 0x86)
            let right = try await PahoPuppet.start(port: broker.port)
            let accepted = try await right.connect(
                clientID: uniqueName("c"),
                version: 5,
                username: "alice",
                password: "wonderland"
            )
            #expect(accepted["reason_code"]?.int == 0)
        }
    }

    @Test func v311WrongPasswordGetsReturnCode4() async throws {
        try await withAuthBroker { broker in
            let status = try await mosquittoPubPrinting(
                "Connection Refused: bad user name or password",
                port: broker.port,
                version: .v311,
                extra: ["-u", "alice", "-P", "queen"]
            )
            #expect(status != 0)
        }
    }

    @Test func anonymousClientsAreRefused() async throws {
        try await withAuthBroker { broker in
            let v311 = try await mosquittoPubPrinting(
                "Connection Refused: not authorised",
                port: broker.port,
                version: .v311
            )
            #expect(v311 != 0)

            let paho = try await PahoPuppet.start(port: broker.port)
            let connack = try await paho.connect(clientID: uniqueName("anon"), version: 5)
            #expect(connack["reason_code"]?.int == 0x87)
        }
    }

    @Test func anonymousClientsConnectWhenAllowed() async throws {
        try await withAuthBroker(allowAnonymous: true) { broker in
            let anonymous = try await MosquittoClients.publish(port: broker.port, topic: uniqueName("t"), message: "hi")
            #expect(anonymous.status == 0)
            // A user name still needs its password.
            let paho = try await PahoPuppet.start(port: broker.port)
            let connack = try await paho.connect(
                clientID: uniqueName("c"),
                version: 5,
                username: "alice",
                password: nil
            )
            #expect(connack["reason_code"]?.int == 0x86)
        }
    }

    @Test func aReconnectStormWithOneCredentialIsServedFromTheCache() async throws {
        try await withAuthBroker { broker in
            for _ in 0..<20 {
                let result = try await MosquittoClients.publish(
                    port: broker.port,
                    topic: uniqueName("t"),
                    message: "hi",
                    version: .v5,
                    extra: ["-u", "alice", "-P", "wonderland"]
                )
                #expect(result.status == 0)
            }
        }
    }

    @Test func tributaryPasswdWritesAFileMosquittoClientsCanUse() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("passwd").path
        try "# operators\n".write(toFile: file, atomically: true, encoding: .utf8)

        let added = try await TributaryProcess.run(["passwd", file, "device-1", "--password", "hunter2"])
        #expect(added.status == 0, "\(added.output)")
        #expect(added.output.contains("added user device-1 to \(file)"))
        // From standard input, as a script would pipe it.
        let piped = try PeerProcess(TributaryProcess.executable, ["passwd", file, "device-2"])
        piped.send("correct horse")
        piped.closeInput()
        #expect(try await piped.waitForExit(timeout: .seconds(30)) == 0)
        let changed = try await TributaryProcess.run(["passwd", file, "device-1", "--password", "hunter3"])
        #expect(changed.output.contains("updated the password of device-1 in \(file)"))

        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.first == "# operators")
        #expect(lines.dropFirst().map { $0.prefix { $0 != ":" } } == ["device-1", "device-2"])
        #expect(text.contains(":$pbkdf2-sha256$210000$"))

        try await withBroker(configure: { $0.authentication = .init(allowAnonymous: false, passwordFile: file) }) {
            broker in
            for (user, password, expected) in [
                ("device-1", "hunter3", true), ("device-2", "correct horse", true), ("device-1", "hunter2", false),
            ] {
                let result = try await MosquittoClients.publish(
                    port: broker.port,
                    topic: uniqueName("t"),
                    message: "hi",
                    version: .v5,
                    qos: 1,
                    extra: ["-u", user, "-P", password]
                )
                #expect((result.status == 0) == expected, "\(user): \(result.output)")
            }
        }
    }

    @Test func tributaryPasswdPromptsTwiceWithoutEchoOnATerminal() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("passwd").path
        // Python's pty gives tributary a terminal; it answers the prompts and reports whether
        // the password ever appeared in what the terminal showed.
        let script = """
            import os, pty, select, sys, time
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], ["tributary", "passwd", sys.argv[2], "tty-user"])
            out = b""
            def until(token):
                global out
                end = time.time() + 20
                while token not in out and time.time() < end:
                    if not select.select([fd], [], [], 0.2)[0]:
                        continue
                    try:
                        out += os.read(fd, 1024)
                    except OSError:
                        break
            until(b"Password for tty-user: ")
            os.write(fd, b"s3cret\\n")
            until(b"Again: ")
            os.write(fd, b"s3cret\\n")
            until(b"added user")
            sys.stderr.write("terminal showed %r\\n" % out)
            os.waitpid(pid, 0)
            print("PROMPTS" if b"Again: " in out else "NO-PROMPT")
            print("ECHOED" if b"s3cret" in out else "SILENT")
            """
        let process = try PeerProcess(Peers.python, ["-c", script, TributaryProcess.executable, file])
        #expect(try await process.waitForExit(timeout: .seconds(30)) == 0)
        await process.waitForEndOfOutput()
        #expect(process.lines.filter { !$0.hasPrefix("terminal showed") } == ["PROMPTS", "SILENT"], "\(process.lines)")
        let entry = try PasswordFile(parsing: String(contentsOfFile: file, encoding: .utf8)).users["tty-user"]
        #expect(entry?.verify(password: Array("s3cret".utf8)) == true)
    }

    @Test func aConfigFileWithAPasswordFileRefusesAnonymousAndAcceptsUsers() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try writePasswordFile(["alice": "wonderland"], in: directory)
        let port = try await TributaryProcess.freePort()
        let config = directory.appendingPathComponent("tributary.yaml").path
        try """
        listeners: [{ type: tcp, bind: "127.0.0.1:\(port)" }]
        auth: { password-file: passwd }
        sys-interval: 0
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try await TributaryProcess.serve(["--config", config])
        defer { Task { await server.kill() } }

        let anonymous = try await MosquittoClients.publish(port: port, topic: uniqueName("t"), message: "x")
        #expect(anonymous.status != 0)
        let alice = try await MosquittoClients.publish(
            port: port,
            topic: uniqueName("t"),
            message: "x",
            extra: ["-u", "alice", "-P", "wonderland"]
        )
        #expect(alice.status == 0, "\(alice.output)")
        await server.kill()
    }
}
