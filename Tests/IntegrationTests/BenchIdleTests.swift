import Broker
import Foundation
import Testing

/// `tributary bench --idle-connections`, run as the built executable against an in-process broker.
@Suite(.timeLimit(.minutes(2))) struct BenchIdleTests {
    @Test func idleConnectionsAreReportedHeldAndClosedOnSIGTERM() async throws {
        try await withBroker { broker in
            let bench = try PeerProcess(
                TributaryProcess.executable,
                ["bench", "--broker", "127.0.0.1:\(broker.port)", "--idle-connections", "50", "--json", "--label", "t"]
            )
            defer { Task { await bench.kill() } }
            let line = try await bench.nextLine("idle result", timeout: .seconds(30)) { $0.hasPrefix("{") }
            let result = try JSONDecoder().decode(Reported.self, from: Data(line.utf8))
            #expect(result == Reported(requested: 50, connected: 50, failed: 0, label: "t"))

            // Without --hold the connections stay open until a signal arrives.
            let held = broker.broker.connectionCount
            #expect(held == 50)
            kill(bench.processIdentifier, SIGTERM)
            let status = try await bench.waitForExit(timeout: .seconds(20))
            #expect(status == 0)
            #expect(await pollUntil { broker.broker.connectionCount == 0 }, "every idle connection closed")
        }
    }

    @Test func holdZeroConnectsThenDisconnects() async throws {
        try await withBroker { broker in
            let (status, output) = try await TributaryProcess.run([
                "bench", "--broker", "127.0.0.1:\(broker.port)", "--idle-connections", "20", "--hold", "0",
                "--connect-concurrency", "3",
            ])
            #expect(status == 0, "\(output)")
            #expect(output.contains { $0.hasPrefix("connected 20 of 20 (failed 0)") }, "\(output)")
        }
    }

    /// The fields of the JSON line checked here (it also carries connectSeconds).
    private struct Reported: Decodable, Equatable {
        var requested: Int
        var connected: Int
        var failed: Int
        var label: String
    }
}
