import Foundation
import Testing

/// A Mosquitto broker of its own for one test: a free loopback port, a temporary config file,
/// stopped by its pid (never by name) when the test ends.
struct Mosquitto {
    static let executable = "/usr/sbin/mosquitto"

    let port: Int
    let directory: URL

    /// Starts Mosquitto with `extraConfig` lines appended, runs `body`, stops it.
    static func with<T: Sendable>(
        config extraConfig: [String] = [],
        files: [String: String] = [:],
        _ body: @escaping @Sendable (Mosquitto) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mqtt-client-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        // A port can still be taken between our choice and Mosquitto's bind: try again then.
        var attempt = 0
        var started: (pid: pid_t, port: Int, log: URL)?
        while started == nil {
            attempt += 1
            let port = try unusedLoopbackPort()
            let config =
                ([
                    "listener \(port) 127.0.0.1",
                    "allow_anonymous true",
                    "persistence false",
                    "log_dest stderr",
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "log_type information",
                ] + extraConfig.map { $0.replacingOccurrences(of: "$DIR", with: directory.path) })
                .joined(separator: "\n") + "\n"
            let configURL = directory.appendingPathComponent("mosquitto-\(attempt).conf")
            try config.write(to: configURL, atomically: true, encoding: .utf8)
            let logURL = directory.appendingPathComponent("mosquitto-\(attempt).log")
            let pid = try spawn(arguments: [Self.executable, "-c", configURL.path], log: logURL.path)
            do {
                try await waitUntilRunning(pid: pid, log: logURL)
                started = (pid, port, logURL)
            } catch {
                stop(pid)
                let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
                if attempt < 5 && log.contains("Address already in use") { continue }
                Issue.record("mosquitto did not start: \(error)\n\(log)")
                throw error
            }
        }
        guard let (pid, port, logURL) = started else { throw TestFailure("unreachable") }
        defer {
            // Stop exactly the process this test started, and reap it.
            stop(pid)
        }
        let broker = Mosquitto(port: port, directory: directory)
        do {
            return try await withDeadline(seconds: 120, "test body") { try await body(broker) }
        } catch {
            let log = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            Issue.record("mosquitto log:\n\(log.suffix(4000))")
            throw error
        }
    }

    /// A port below the kernel's ephemeral range (32768 and up on Linux, where a connection
    /// from a port to itself even succeeds on loopback) that no TCP socket uses in any state,
    /// TIME_WAIT included.
    private static func unusedLoopbackPort() throws -> Int {
        let table = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        var used = Set<Int>()
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > 1, let hex = fields[1].split(separator: ":").last, let port = Int(hex, radix: 16) {
                used.insert(port)
            }
        }
        for _ in 0..<1000 {
            let port = Int.random(in: 20_000..<32_000)
            if !used.contains(port) { return port }
        }
        throw TestFailure("no unused port")
    }

    /// Waits until Mosquitto logs that it runs, which it does only after binding its listener:
    /// a successful TCP connect alone could reach another listener on the same port.
    private static func waitUntilRunning(pid: pid_t, log: URL) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains(" running") { return }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == 0 else {
                throw TestFailure("mosquitto exited with status \(status)")
            }
            guard ContinuousClock.now < deadline else { throw TestFailure("mosquitto did not start in time") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// SIGTERM, then SIGKILL if the process has not exited within 5 seconds; reaps it.
private func stop(_ pid: pid_t) {
    kill(pid, SIGTERM)
    var status: Int32 = 0
    for _ in 0..<500 {
        if waitpid(pid, &status, WNOHANG) != 0 { return }
        usleep(10_000)
    }
    kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
}

/// Runs a program to completion (output to `log`) and throws unless it exits with status 0.
func runProgram(_ arguments: [String], log: String) throws {
    let pid = try spawn(arguments: arguments, log: log)
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    guard status == 0 else { throw TestFailure("\(arguments[0]) exited with status \(status)") }
}

/// Starts a program with stdout and stderr going to `log`, with posix_spawn so that the signal
/// mask and the waiting are under our control.
func spawn(arguments: [String], log: String) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    // The spawning thread may be a dispatch worker that blocks SIGTERM; the child would inherit
    // that mask and never stop. Start it with no signal blocked and default handlers.
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGTERM)
    sigaddset(&defaults, SIGINT)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var pid: pid_t = 0
    let result = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard result == 0 else { throw TestFailure("posix_spawn \(arguments[0]) failed: \(result)") }
    return pid
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
