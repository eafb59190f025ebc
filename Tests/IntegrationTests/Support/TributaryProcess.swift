import Foundation
import NIOCore
import NIOPosix

/// The built `tributary` executable, run as a child process (for command-line behaviour).
enum TributaryProcess {
    /// `tributary` next to the test bundle (`swift build --build-tests` builds both), or in
    /// `.build/debug`.
    static var executable: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "tributary"
            ),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("tributary"),
            Peers.repositoryRoot.appendingPathComponent(".build/debug/tributary"),
        ]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate.path
        }
        return try! Peers.require(candidates[2].path)
    }

    /// Runs `tributary ARGUMENTS` to completion.
    static func run(
        _ arguments: [String],
        timeout: Duration = .seconds(20)
    ) async throws -> (
        status: Int32, output: [String]
    ) {
        let process = try PeerProcess(executable, arguments)
        let status = try await process.waitForExit(timeout: timeout)
        await process.waitForEndOfOutput()
        return (status, process.lines)
    }

    /// Starts `tributary serve ARGUMENTS` and waits until it logged that its listeners are ready.
    static func serve(_ arguments: [String], listeners: Int = 1) async throws -> PeerProcess {
        let process = try PeerProcess(executable, ["serve"] + arguments)
        _ = try await process.nextLines(listeners, "listener ready", timeout: .seconds(20)) {
            $0.contains("MQTT listener ready")
        }
        return process
    }

    /// A loopback port that was free a moment ago (bound, read, closed).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress!.port!
        try await channel.close()
        return port
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("tributary"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

extension PeerProcess {
    /// Waits until the process closed its output (after it exited, its last lines can still be
    /// on the way through the pipe).
    func waitForEndOfOutput(timeout: Duration = .seconds(10)) async {
        // No line matches: the wait ends when the pipe closes (LineBuffer.Closed) or times out.
        _ = try? await output.waitForLine(from: 0, description: "end of output", timeout: timeout) { _ in false }
    }
}
