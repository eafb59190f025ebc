import Foundation

/// Runs short confluent-kafka (librdkafka 2.16) programs against a tansu broker, as the
/// independent checker of our client. Each program prints its results as JSON lines.
enum TansuPython {
    struct Failed: Error, CustomStringConvertible {
        var status: Int32
        var lines: [String]
        var description: String { "python exited with \(status):\n\(lines.suffix(30).joined(separator: "\n"))" }
    }

    /// Runs `script` with `arguments` (sys.argv[1...]) and returns the lines it printed, after it
    /// exited with status 0.
    static func run(_ script: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> [String]
    {
        let process = try PeerProcess(Peers.python, ["-c", script + "\nprint('END', flush=True)\n"] + arguments)
        let status = try await process.waitForExit(timeout: timeout)
        guard status == 0 else { throw Failed(status: status, lines: process.lines) }
        // The reader thread may still be draining the pipe after the exit.
        try await process.nextLine("end of output", timeout: .seconds(5)) { $0 == "END" }
        return process.lines.filter { $0 != "END" }
    }

    /// Decodes the lines that are JSON objects.
    static func objects(_ lines: [String]) -> [[String: Any]] {
        lines.compactMap { line in
            guard line.hasPrefix("{"), let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }
}
