import ArgumentParser
import Foundation
import Logging
import MQTTCodec
import NIOPosix

/// `tributary bench`: a load generator that works against any MQTT broker.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure an MQTT broker: throughput, loss and latency from timestamps in the payload.",
        discussion: """
            Publishers keep at most --in-flight messages outstanding end to end (sent and not yet \
            received), so QoS 0 and QoS 1 runs measure sustained throughput without overrunning \
            the broker's queues. Messages sent during the warm-up are not counted.
            """
    )

    @Option(help: "The broker as HOST:PORT.")
    var broker: HostAndPort = HostAndPort(argument: "127.0.0.1:1883")!

    @Option(help: "fan-in, fan-out or point-to-point.")
    var scenario: BenchTopology = .fanIn

    @Option(help: "Publishers (fan-in), subscribers (fan-out) or pairs (point-to-point).")
    var connections: Int = 10

    @Option(help: "QoS of publishes and subscriptions: 0, 1 or 2.")
    var qos: Int = 0

    @Option(help: "Payload bytes (at least 16: the timestamp header).")
    var payloadSize: Int = 100

    @Option(help: "MQTT version: 3.1.1 or 5.")
    var mqttVersion: String = "3.1.1"

    @Option(help: "Seconds of warm-up before measuring.")
    var warmup: Double = 2

    @Option(help: "Seconds measured.")
    var duration: Double = 10

    @Option(help: "Messages each publisher may have outstanding end to end.")
    var inFlight: Int = 1_000

    @Option(help: "Messages per second per publisher; omit to send as fast as the window allows.")
    var rate: Int?

    @Flag(
        help:
            "Clients keep persistent sessions (Clean Start 0, v5 Session Expiry 1 h), so a broker with a store writes them to disk."
    )
    var persistentSessions = false

    @Option(
        help: ArgumentHelp(
            "Open this many connections and hold them idle instead of running a scenario.",
            discussion: "For reading a broker's memory per connection from its resident set size."
        )
    )
    var idleConnections: Int?

    @Option(help: "Seconds to hold the idle connections; omit to hold until SIGINT or SIGTERM.")
    var hold: Double?

    @Option(help: "Idle mode: connection attempts in progress at once.")
    var connectConcurrency: Int = 100

    @Option(help: "Idle mode: Keep Alive in seconds sent in CONNECT.")
    var keepAlive: Int = 60

    @Flag(help: "Print the result as JSON instead of a table.")
    var json = false

    @Option(help: "A label printed with the result (e.g. the broker's name).")
    var label: String?

    func validate() throws {
        guard (0...2).contains(qos) else { throw ValidationError("--qos must be 0, 1 or 2") }
        guard payloadSize >= BenchPayload.headerSize else {
            throw ValidationError("--payload-size must be at least 16")
        }
        guard connections >= 1 else { throw ValidationError("--connections must be at least 1") }
        guard ["3.1.1", "5"].contains(mqttVersion) else { throw ValidationError("--mqtt-version must be 3.1.1 or 5") }
        if let idleConnections, idleConnections < 1 {
            throw ValidationError("--idle-connections must be at least 1")
        }
        if let hold, hold < 0 { throw ValidationError("--hold must not be negative") }
        guard connectConcurrency >= 1 else { throw ValidationError("--connect-concurrency must be at least 1") }
        guard (0...Int(UInt16.max)).contains(keepAlive) else {
            throw ValidationError("--keep-alive must be between 0 and 65535")
        }
    }

    func run() async throws {
        var logger = Logger(label: "tributary.bench")
        logger.logLevel = .warning
        if let idleConnections {
            try await runIdle(count: idleConnections, logger: logger)
            return
        }
        let options = BenchOptions(
            host: broker.host,
            port: broker.port,
            topology: scenario,
            connections: connections,
            qos: QoS(rawValue: UInt8(qos))!,
            payloadSize: payloadSize,
            protocolVersion: mqttVersion == "5" ? .v5 : .v3_1_1,
            warmup: .milliseconds(Int64(warmup * 1_000)),
            duration: .milliseconds(Int64(duration * 1_000)),
            inFlight: inFlight,
            rate: rate,
            persistentSessions: persistentSessions
        )
        let runner = BenchRunner(
            options: options,
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        let result = try await runner.run()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var object = try JSONSerialization.jsonObject(with: encoder.encode(result)) as! [String: Any]
            if let label { object["label"] = label }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print((label.map { "\($0): " } ?? "") + BenchResult.tableHeader)
            print((label.map { "\($0): " } ?? "") + result.tableRow)
            if result.lost > 0 || result.outOfOrder > 0 || result.publishErrors > 0 {
                print("lost \(result.lost), out of order \(result.outOfOrder), publish errors \(result.publishErrors)")
            }
        }
    }
}

extension BenchTopology: ExpressibleByArgument {}
