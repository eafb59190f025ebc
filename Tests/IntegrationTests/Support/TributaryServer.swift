import Foundation

/// A `tributary serve` process on an ephemeral port, for what an in-process broker cannot show:
/// `kill -9` and restarts on the same data directory.
final class TributaryServer: Sendable {
    let process: PeerProcess
    /// The MQTT port it bound (it is started on port 0 and tells which port it got).
    let port: Int

    private init(process: PeerProcess, port: Int) {
        self.process = process
        self.port = port
    }

    /// Starts `tributary serve` on an ephemeral loopback port and waits until it listens.
    static func serve(_ arguments: [String]) async throws -> TributaryServer {
        let process = try PeerProcess(TributaryProcess.executable, ["serve", "--listen", "127.0.0.1:0"] + arguments)
        let ready = try await process.nextLine("MQTT listener ready", timeout: .seconds(30)) {
            $0.contains("MQTT listener ready")
        }
        guard let port = Self.port(inListenerLine: ready) else {
            throw Unexpected(line: ready)
        }
        return TributaryServer(process: process, port: port)
    }

    /// Kills the process with SIGKILL (no shutdown code runs) and waits until it is gone.
    func kill9() async throws {
        Foundation.kill(process.processIdentifier, SIGKILL)
        try await process.waitForExit()
    }

    /// Stops it with SIGTERM, as an operator would, and waits until it is gone.
    func terminate() async throws {
        Foundation.kill(process.processIdentifier, SIGTERM)
        try await process.waitForExit(timeout: .seconds(20))
    }

    /// The port of `address=[IPv4]127.0.0.1/127.0.0.1:PORT` in the log line.
    static func port(inListenerLine line: String) -> Int? {
        guard let range = line.range(of: "address=") else { return nil }
        let address = line[range.upperBound...].prefix { !$0.isWhitespace }
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...].prefix { $0.isNumber })
    }

    struct Unexpected: Error, CustomStringConvertible {
        var line: String
        var description: String { "no port in the listener line: \(line)" }
    }
}

/// A fresh temporary directory for one test's data, removed when the test ends.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ prefix: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName(prefix)).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
