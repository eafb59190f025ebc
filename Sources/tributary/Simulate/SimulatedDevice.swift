import Atomics
import Foundation
import Logging
import MQTTClient
import MQTTCodec
import NIOCore
import NIOPosix
import NIOSSL

/// One generator on the network: connects with a Last Will (`offline`, retained, on its status
/// topic), announces `online`, publishes telemetry at its rate, and with `flap` drops its
/// connection now and then without DISCONNECT (so the broker publishes the Will), then comes back.
struct SimulatedDevice: Sendable {
    struct Settings: Sendable {
        var host: String
        var port: Int
        var protocolVersion: MQTTProtocolVersion
        var qos: QoS
        /// Messages per second.
        var rate: Double
        var username: String?
        var password: String?
        var tls: TLSConfiguration?
        var clientIDPrefix: String
        /// Mean seconds between abrupt disconnects; nil: never.
        var meanSecondsBetweenFlaps: Double?
        var seed: UInt64
    }

    static let offline = #"{"status":"offline"}"#
    static let online = #"{"status":"online"}"#

    var model: GeneratorModel
    let settings: Settings
    let statistics: SimulationStatistics
    let logger: Logger

    func run(until deadline: ContinuousClock.Instant?) async {
        var model = self.model
        var random = SplitMix64(seed: settings.seed ^ 0xF1A9)
        let client = MQTTClient(
            configuration: configuration(for: model),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            logger: logger
        )
        let interval = Duration.seconds(1 / settings.rate)
        var nextFlap = nextFlapTime(&random)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var lastStep = ContinuousClock.now

        while !Task.isCancelled, deadline.map({ ContinuousClock.now < $0 }) ?? true {
            guard await connect(client, model: model) else {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            var next = ContinuousClock.now
            var flapped = false
            while !Task.isCancelled, deadline.map({ next < $0 }) ?? true {
                if let flap = nextFlap, next >= flap {
                    // Abrupt: no DISCONNECT, so the broker publishes the Will.
                    statistics.flaps.wrappingIncrement(ordering: .relaxed)
                    statistics.connected.wrappingDecrement(ordering: .relaxed)
                    await client.close()
                    try? await Task.sleep(for: .milliseconds(500 + Int64(random.unit() * 1_500)))
                    nextFlap = nextFlapTime(&random)
                    flapped = true
                    break
                }
                try? await Task.sleep(until: next)
                let now = ContinuousClock.now
                let elapsed = now - lastStep
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let telemetry = model.step(seconds: seconds, timestamp: Date())
                lastStep = now
                publish(telemetry, model: model, with: client, encoder: encoder)
                next += interval
            }
            if !flapped {
                // A clean end says so itself; the Will is for failures.
                _ = try? await client.publish(
                    topic: model.statusTopic,
                    payload: ByteBuffer(string: Self.offline),
                    qos: .atLeastOnce,
                    retain: true
                )
                try? await client.disconnect()
                statistics.connected.wrappingDecrement(ordering: .relaxed)
                return
            }
        }
    }

    private func configuration(for model: GeneratorModel) -> MQTTClient.Configuration {
        var configuration = MQTTClient.Configuration(
            host: settings.host,
            port: settings.port,
            clientID: settings.clientIDPrefix + model.generatorID,
            protocolVersion: settings.protocolVersion
        )
        configuration.keepAlive = 30
        // A persistent session: QoS 1/2 telemetry in flight when the network drops is sent again
        // after reconnecting, so `seq` has no gaps.
        configuration.cleanStart = false
        if settings.protocolVersion == .v5 { configuration.sessionExpiryInterval = 600 }
        configuration.username = settings.username
        configuration.password = settings.password.map { ByteBuffer(string: $0) }
        configuration.tls = settings.tls
        configuration.will = ConnectPacket.Will(
            topic: model.statusTopic,
            payload: ByteBuffer(string: Self.offline),
            qos: .atLeastOnce,
            retain: true
        )
        return configuration
    }

    private func connect(_ client: MQTTClient, model: GeneratorModel) async -> Bool {
        do {
            var attempts = 0
            var connack: ConnAckPacket
            while true {
                do {
                    connack = try await client.connect()
                    break
                } catch let error as MQTTClientError where error.code == .alreadyConnected && attempts < 40 {
                    // The dropped connection is still being torn down; try again shortly.
                    attempts += 1
                    try await Task.sleep(for: .milliseconds(25))
                }
            }
            guard !connack.reasonCode.isFailure else {
                statistics.connectFailures.wrappingIncrement(ordering: .relaxed)
                logger.warning(
                    "connection refused",
                    metadata: ["device": "\(model.generatorID)", "reason": "\(connack.reasonCode)"]
                )
                return false
            }
            statistics.connected.wrappingIncrement(ordering: .relaxed)
            _ = try await client.publish(
                topic: model.statusTopic,
                payload: ByteBuffer(string: Self.online),
                qos: .atLeastOnce,
                retain: true
            )
            return true
        } catch {
            statistics.connectFailures.wrappingIncrement(ordering: .relaxed)
            logger.warning("connect failed", metadata: ["device": "\(model.generatorID)", "error": "\(error)"])
            return false
        }
    }

    private func publish(_ telemetry: Telemetry, model: GeneratorModel, with client: MQTTClient, encoder: JSONEncoder) {
        guard let data = try? encoder.encode(telemetry) else { return }
        let statistics = self.statistics
        client.publish(topic: model.telemetryTopic, payload: ByteBuffer(bytes: data), qos: settings.qos) { result in
            switch result {
            case .success(let outcome) where !outcome.reasonCode.isFailure:
                statistics.published.wrappingIncrement(ordering: .relaxed)
            case .success, .failure:
                statistics.failed.wrappingIncrement(ordering: .relaxed)
            }
        }
    }

    private func nextFlapTime(_ random: inout SplitMix64) -> ContinuousClock.Instant? {
        guard let mean = settings.meanSecondsBetweenFlaps else { return nil }
        // Exponential waiting times: flaps arrive as a Poisson process, like real network faults.
        let seconds = -mean * log(max(1e-9, 1 - random.unit()))
        return ContinuousClock.now + .milliseconds(Int64(seconds * 1_000))
    }
}
