import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A tansu Kafka broker (memory storage) started for one test on a loopback port picked at run
/// time, and stopped by pid (``stop()``, or when the object goes away).
final class TansuBroker: Sendable {
    let port: Int
    private let process: PeerProcess

    /// `host:port` for a bootstrap list.
    var bootstrap: String { "127.0.0.1:\(self.port)" }

    private init(port: Int, process: PeerProcess) {
        self.port = port
        self.process = process
    }

    static var executable: String {
        try! Peers.require(Peers.repositoryRoot.appendingPathComponent(".venv/bin/tansu").path)
    }

    /// Starts tansu and waits (with a deadline) until it accepts connections. A port taken by
    /// someone else between picking and binding shows as an early exit; then another port is tried.
    ///
    /// - Parameter advertisedPort: the port tansu tells clients to use (a proxy's); default its own.
    static func start(advertisedPort: Int? = nil, timeout: Duration = .seconds(30)) async throws -> TansuBroker {
        var lastOutput: [String] = []
        for _ in 0..<5 {
            let port = try LoopbackPort.pickFree()
            let url = "tcp://127.0.0.1:\(port)"
            let advertised = "tcp://127.0.0.1:\(advertisedPort ?? port)"
            let process = try PeerProcess(
                Self.executable,
                [
                    "broker", "--listener-url", url, "--advertised-listener-url", advertised,
                    "--storage-engine", "memory://tansu/",
                ],
                environment: ["RUST_LOG": "warn"]
            )
            let listening = await pollUntil(timeout: timeout, interval: .milliseconds(50)) {
                !process.isRunning || LoopbackPort.accepts(port)
            }
            if listening, process.isRunning { return TansuBroker(port: port, process: process) }
            lastOutput = process.lines
            await process.kill()
        }
        throw LineBuffer.Timeout(waitingFor: "tansu to accept connections", recentLines: lastOutput)
    }

    /// Stops the broker (SIGKILL: it keeps nothing on disk) and waits for it to go.
    func stop() async {
        await self.process.kill()
    }
}

/// Loopback TCP port helpers for peers that cannot report the port they bound.
enum LoopbackPort {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A port the kernel just handed out for 127.0.0.1 (closed again, so a peer can bind it).
    static func pickFree() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: \(errno)") }
        defer { close(fd) }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw Failure(description: "bind() failed: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname() failed: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
