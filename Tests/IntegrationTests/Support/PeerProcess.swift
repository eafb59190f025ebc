import Foundation
import NIOConcurrencyHelpers

/// A child process (an independent MQTT or Kafka peer) whose output a test reads line by line.
///
/// Standard output and standard error are merged into one `LineBuffer`. The process is killed
/// when the object goes away, so a failing test does not leave peers behind.
final class PeerProcess: Sendable {
    let name: String
    private let process: Process
    private let input: Pipe
    let output = LineBuffer()
    private let cursor = NIOLockedValueBox(0)
    private let exit = ExitStatus()

    init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        self.name = (executable as NSString).lastPathComponent
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["PYTHONUNBUFFERED"] = "1"
        env.merge(environment) { $1 }
        process.environment = env
        let input = Pipe()
        let outputPipe = Pipe()
        process.standardInput = input
        process.standardOutput = outputPipe
        process.standardError = outputPipe
        // A thread per peer with blocking reads: FileHandle.readabilityHandler's dispatch source
        // crashed in libdispatch on Linux when a pipe closed under it, and
        // FileHandle.availableData calls fatalError when a signal interrupts the read (EINTR,
        // seen under a full parallel test run), so this is read(2), retried on EINTR.
        let buffer = output
        let reading = outputPipe.fileHandleForReading
        let reader = Thread {
            let descriptor = reading.fileDescriptor
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                buffer.append(Data(chunk[0..<count]))
            }
            withExtendedLifetime(reading) {}
            buffer.close()
        }
        reader.name = "peer-output"
        let exit = self.exit
        process.terminationHandler = { process in exit.record(process.terminationStatus) }
        self.process = process
        self.input = input
        // One spawn at a time: Foundation's Process.run() crashed once in a memcpy (a bad pointer
        // dereference) while the parallel test run started many peers at once.
        try Self.spawning.withLock { try process.run() }
        // The parent's copy of the write end must go, or the reader never sees end-of-file.
        try? outputPipe.fileHandleForWriting.close()
        reader.start()
    }

    private static let spawning = NIOLock()

    /// Starts a C program through `stdbuf -oL`: stdio block-buffers output into a pipe, and a
    /// test must see each line when it is printed, not when the program exits.
    static func lineBuffered(_ executable: String, _ arguments: [String]) throws -> PeerProcess {
        try PeerProcess("/usr/bin/stdbuf", ["-oL", "-eL", executable] + arguments)
    }

    deinit {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var lines: [String] { output.lines }

    /// Writes one line to the process's standard input.
    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    func closeInput() {
        try? input.fileHandleForWriting.close()
    }

    /// Consumes the lines before `index` (those already printed when a command was sent), so the
    /// next `nextLine` looks only at what came after it.
    func consumeLines(before index: Int) {
        cursor.withLockedValue { $0 = max($0, index) }
    }

    /// Waits for the next line (after those already consumed) that matches, and consumes up to it.
    @discardableResult
    func nextLine(
        _ description: String,
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> String {
        let from = cursor.withLockedValue { $0 }
        let index = try await output.waitForLine(
            from: from,
            description: "\(name): \(description)",
            timeout: timeout,
            where: predicate
        )
        cursor.withLockedValue { $0 = max($0, index + 1) }
        return output.lines[index]
    }

    /// Waits for `count` more matching lines and returns them in order.
    func nextLines(
        _ count: Int,
        _ description: String,
        timeout: Duration = .seconds(20),
        where predicate: @escaping @Sendable (String) -> Bool
    ) async throws -> [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            result.append(try await nextLine(description, timeout: timeout, where: predicate))
        }
        return result
    }

    /// Waits for the process to exit and returns its status.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await exit.wait(timeout: timeout, name: name, lines: { [output] in output.lines })
    }

    /// Waits until `condition` holds, re-checking whenever any of `processes` prints a line.
    static func waitUntil(
        _ processes: [PeerProcess],
        _ description: String,
        timeout: Duration = .seconds(20),
        condition: @escaping @Sendable () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            // Read the line counts before the check, so a line printed in between wakes us.
            let counts = processes.map { $0.output.lines.count }
            if condition() { return }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                throw LineBuffer.Timeout(waitingFor: description, recentLines: processes.flatMap(\.lines))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (process, count) in zip(processes, counts) {
                    group.addTask {
                        _ = try await process.output.waitForLine(
                            from: count,
                            description: description,
                            timeout: remaining
                        ) { _ in
                            true
                        }
                    }
                }
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        }
    }

    /// Kills the process (SIGKILL) and waits for it to go.
    func kill() async {
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
        }
        _ = try? await waitForExit(timeout: .seconds(5))
    }
}

/// The exit status of a process, awaited with a deadline.
private final class ExitStatus: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [UInt64: CheckedContinuation<Int32, any Error>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    func record(_ status: Int32) {
        let waiters = state.withLockedValue { state in
            state.status = status
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    func wait(timeout: Duration, name: String, lines: @escaping @Sendable () -> [String]) async throws -> Int32 {
        try await withCheckedThrowingContinuation { continuation in
            let id: UInt64? = state.withLockedValue { state in
                if let status = state.status {
                    continuation.resume(returning: status)
                    return nil
                }
                state.nextID += 1
                state.waiters[state.nextID] = continuation
                return state.nextID
            }
            guard let id else { return }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [state] in
                let expired = state.withLockedValue { $0.waiters.removeValue(forKey: id) }
                expired?.resume(throwing: LineBuffer.Timeout(waitingFor: "\(name) to exit", recentLines: lines()))
            }
        }
    }
}
