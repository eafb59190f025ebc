import Foundation
import Logging
import MQTTCodec
import NIOPosix
import UnixSignals

extension Bench {
    /// `--idle-connections N`: connect, report, hold until `--hold` seconds passed or SIGINT or
    /// SIGTERM arrives, then disconnect every client.
    func runIdle(count: Int, logger: Logger) async throws {
        let limit = FileDescriptorLimit.raiseToHardLimit()
        if limit < count + 64 {
            logger.warning(
                "the open-files limit may be too low for the connections asked for",
                metadata: ["limit": "\(limit)", "connections": "\(count)"]
            )
        }
        let idle = IdleConnections(
            host: broker.host,
            port: broker.port,
            count: count,
            concurrency: connectConcurrency,
            protocolVersion: mqttVersion == "5" ? .v5 : .v3_1_1,
            keepAlive: UInt16(keepAlive),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        // Trapped before connecting, so an early stop still disconnects cleanly. SIGTERM too: a
        // script's background job ignores SIGINT.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let (clients, result) = await idle.connect()
        try printIdle(result)
        await hold(seconds: hold, signals: signals)
        await idle.disconnect(clients)
    }

    private func printIdle(_ result: IdleResult) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var object = try JSONSerialization.jsonObject(with: encoder.encode(result)) as! [String: Any]
            if let label { object["label"] = label }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print((label.map { "\($0): " } ?? "") + result.summary)
        }
        // A script waits for this line before it reads the broker's memory: do not let it sit
        // in a buffer while the connections are held.
        fflush(nil)  // nil: every output stream (stdout is a global var Swift 6 will not touch)
    }

    /// Returns after `seconds` (nil: never) or at the first SIGINT or SIGTERM, whichever comes first.
    private func hold(seconds: Double?, signals: UnixSignalsSequence) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in signals { return }
            }
            if let seconds {
                group.addTask { try? await Task.sleep(for: .milliseconds(Int64(seconds * 1_000))) }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
