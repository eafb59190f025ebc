import Foundation
import Testing

/// `tributary check-config` and `tributary serve --config`, run as the built executable.
@Suite(.timeLimit(.minutes(2))) struct ConfigurationCommandTests {
    @Test func checkConfigAcceptsTheExampleFile() async throws {
        let example = Peers.repositoryRoot.appendingPathComponent("tributary.example.yaml").path
        let (status, output) = try await TributaryProcess.run(["check-config", example])
        #expect(status == 0, "\(output)")
        #expect(output.first == "\(example): OK")
        #expect(output.contains { $0.contains("listener tcp 127.0.0.1:1883") })
    }

    @Test func checkConfigPrintsEveryErrorWithItsLine() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yaml").path
        try """
        listeners:
          - { type: tcp, bind: "127.0.0.1:1883" }
          - { type: tcp, bind: "abc" }
        limits:
          max-connections: -1
        colour: blue
        """.write(toFile: file, atomically: true, encoding: .utf8)

        let (status, output) = try await TributaryProcess.run(["check-config", file])
        #expect(status == 1)
        #expect(
            output.contains(#"\#(file):3: listeners[1].bind: expected HOST:PORT with a port in 1–65535, got "abc""#)
        )
        #expect(output.contains { $0.hasPrefix("\(file):5: limits.max-connections: -1 is out of range") })
        #expect(output.contains { $0.hasPrefix("\(file):6: colour: unknown key") })
        #expect(output.contains("\(file): 3 errors"))
    }

    @Test func checkConfigReportsAMissingFile() async throws {
        let (status, output) = try await TributaryProcess.run(["check-config", "/nonexistent/tributary.yaml"])
        #expect(status == 1)
        #expect(output.contains { $0.hasPrefix("/nonexistent/tributary.yaml: cannot read the file") })
    }

    @Test func serveDoesNotStartWithAnInvalidFile() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try await TributaryProcess.freePort()
        let file = directory.appendingPathComponent("bad.yaml").path
        try """
        listeners:
          - { type: tcp, bind: "127.0.0.1:\(port)" }
        auth: { allow-anonymous: maybe }
        """.write(toFile: file, atomically: true, encoding: .utf8)

        let process = try PeerProcess(TributaryProcess.executable, ["serve", "--config", file])
        let status = try await process.waitForExit(timeout: .seconds(20))
        await process.waitForEndOfOutput()
        #expect(status != 0)
        #expect(process.lines.contains { $0.hasPrefix("\(file):3: auth.allow-anonymous: expected true or false") })
        #expect(!process.lines.contains { $0.contains("MQTT listener ready") })
    }

    @Test func serveWithAConfigFileAcceptsMosquittoClientsOnItsPort() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = try await TributaryProcess.freePort()
        let file = directory.appendingPathComponent("tributary.yaml").path
        try """
        listeners:
          - { type: tcp, bind: "127.0.0.1:\(port)" }
        auth: { allow-anonymous: true }
        sys-interval: 0
        kafka:
          clusters: [{ name: main, bootstrap: ["127.0.0.1:9"] }]
          mqtt-to-kafka:
            - { name: t, mqtt-topic-filters: ["a/#"], kafka-topic: t }
        """.write(toFile: file, atomically: true, encoding: .utf8)

        let server = try await TributaryProcess.serve(["--config", file])
        defer { Task { await server.kill() } }
        #expect(server.lines.contains { $0.contains("without data-dir there is no spool") })

        let topic = uniqueName("configured") + "/hello"
        let subscriber = try await MosquittoClients.subscribe(port: port, topics: [topic], qos: 1, count: 1)
        let published = try await MosquittoClients.publish(port: port, topic: topic, message: "from the file", qos: 1)
        #expect(published.status == 0)
        let messages = try await MosquittoClients.messages(1, from: subscriber)
        #expect(messages.map(\.payload) == ["from the file"])
        await server.kill()
    }

    @Test func listenOnTheCommandLineReplacesTheFilesListeners() async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let filePort = try await TributaryProcess.freePort()
        let port = try await TributaryProcess.freePort()
        let file = directory.appendingPathComponent("tributary.yaml").path
        try """
        listeners: [{ type: tcp, bind: "127.0.0.1:\(filePort)" }]
        auth: { allow-anonymous: true }
        sys-interval: 0
        """.write(toFile: file, atomically: true, encoding: .utf8)

        let server = try await TributaryProcess.serve(["--config", file, "--listen", "127.0.0.1:\(port)"])
        defer { Task { await server.kill() } }
        #expect(server.lines.contains { $0.contains("127.0.0.1:\(port)") })
        let published = try await MosquittoClients.publish(port: port, topic: uniqueName("t"), message: "x")
        #expect(published.status == 0)
        await server.kill()
    }
}
