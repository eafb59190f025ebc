import Foundation
import Testing

/// `tributary simulate` against Tributary, checked by mosquitto_sub: every device's telemetry is
/// complete, in order and shaped as `schemas/generator.json` says; status and Will work.
@Suite struct SimulateTests {
    private static let schemaFields: Set<String> = {
        let url = Peers.repositoryRoot.appendingPathComponent("schemas/generator.json")
        let schema = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return Set(schema["required"] as! [String])
    }()

    private struct Run {
        var telemetry: [String: [[String: Any]]] = [:]
        var statuses: [String: [String]] = [:]
        var output: [String] = []
    }

    /// Runs the simulator to its end and returns what a subscriber saw.
    private func simulate(_ arguments: [String], devices: Int) async throws -> Run {
        try await withBroker { broker in
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["site/+/generator/+/telemetry", "site/+/generator/+/status"],
                qos: 1
            )
            let simulator = try await TributaryProcess.run(
                ["simulate", "--broker", "127.0.0.1:\(broker.port)", "--devices", "\(devices)"] + arguments,
                timeout: .seconds(60)
            )
            #expect(simulator.status == 0, "\(simulator.output)")
            // Each device's last word is its retained `offline` status: wait for all of them.
            try await PeerProcess.waitUntil([subscriber], "every device's final status") {
                let offline = subscriber.lines.compactMap(MosquittoClients.Message.init(line:)).filter {
                    $0.topic.hasSuffix("/status") && $0.payload.contains("offline")
                }
                return Set(offline.map(\.topic)).count == devices
            }
            var run = Run(output: simulator.output)
            for message in subscriber.lines.compactMap(MosquittoClients.Message.init(line:)) {
                let device = message.topic.split(separator: "/")[3]
                if message.topic.hasSuffix("/telemetry") {
                    let object = try JSONSerialization.jsonObject(with: Data(message.payload.utf8)) as! [String: Any]
                    run.telemetry[String(device), default: []].append(object)
                } else {
                    run.statuses[String(device), default: []].append(message.payload)
                }
            }
            await subscriber.kill()
            return run
        }
    }

    @Test func everyDevicePublishesCompleteOrderedTelemetryOfTheSchemasShape() async throws {
        let run = try await simulate(
            ["--devices-per-site", "2", "--rate", "20", "--duration", "2", "--qos", "1"],
            devices: 4
        )
        #expect(Set(run.telemetry.keys) == ["gen-1-1", "gen-1-2", "gen-2-1", "gen-2-2"])
        for (device, messages) in run.telemetry {
            let sequence = messages.map { $0["seq"] as! Int }
            #expect(sequence == Array(1...sequence.count), "\(device)")
            #expect(sequence.count >= 10, "\(device): \(sequence.count) messages in 2 s at 20/s")
            for message in messages {
                #expect(Set(message.keys) == Self.schemaFields)
                #expect(message["generatorID"] as? String == device)
                let fuel = message["fuel"] as! Double
                let load = message["load"] as! Double
                #expect((0...1).contains(fuel) && (0...1).contains(load))
                #expect(abs((message["power"] as! Double) - load * 500) < 0.001)
            }
            #expect(run.statuses[device]?.first?.contains("online") == true)
            #expect(run.statuses[device]?.last?.contains("offline") == true)
        }
    }

    @Test func flappingDevicesLeaveTheirWillAndLoseNoTelemetry() async throws {
        let run = try await simulate(
            ["--rate", "20", "--duration", "4", "--qos", "1", "--flap", "0.7", "--mqtt-version", "5"],
            devices: 2
        )
        let flaps = run.output.last { $0.hasPrefix("done:") }.flatMap { line -> Int? in
            guard let range = line.range(of: "flaps ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        let flapCount = try #require(flaps)
        #expect(flapCount > 0)
        // The broker published a Will for every abrupt disconnect, plus each device's final word.
        let offline = run.statuses.values.joined().filter { $0.contains("offline") }.count
        #expect(offline >= flapCount + 2)
        for (device, messages) in run.telemetry {
            let sequence = messages.map { $0["seq"] as! Int }
            // Persistent sessions: QoS 1 messages in flight at a flap are sent again, so no gaps
            // (a re-sent one may come twice, as QoS 1 allows).
            #expect(Array(Set(sequence)).sorted() == Array(1...(sequence.max() ?? 0)), "\(device)")
        }
    }
}
