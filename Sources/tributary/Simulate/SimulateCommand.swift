import ArgumentParser
import Foundation
import Logging
import MQTTClient
import MQTTCodec
import NIOSSL

/// `tributary simulate`: a fleet of emergency fuel generators publishing telemetry.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate emergency fuel generators publishing JSON telemetry (schemas/generator.json).",
        discussion: """
            Each device publishes on site/<site>/generator/<id>/telemetry, numbers its messages \
            (seq), keeps a retained status (online / offline) on .../status with a Last Will, and \
            with --flap drops its connection now and then without DISCONNECT.
            """
    )

    @Option(help: "The broker as HOST:PORT.")
    var broker: HostAndPort = HostAndPort(argument: "127.0.0.1:1883")!

    @Option(help: "Number of generators.")
    var devices: Int = 10

    @Option(help: "Telemetry messages per second per device.")
    var rate: Double = 1

    @Option(help: "Devices per site (site numbers start at 1).")
    var devicesPerSite: Int = 10

    @Option(help: "QoS of telemetry: 0, 1 or 2.")
    var qos: Int = 1

    @Option(help: "MQTT version: 3.1.1 or 5.")
    var mqttVersion: String = "3.1.1"

    @Option(help: "User name for every device.")
    var username: String?

    @Option(help: "Password for every device.")
    var password: String?

    @Flag(help: "Connect with TLS.")
    var tls = false

    @Option(help: "With --tls: trust the CA certificates in this PEM file (default: the system's).")
    var cafile: String?

    @Option(help: "Mean seconds between abrupt disconnects of each device; omit for none.")
    var flap: Double?

    @Option(help: "Stop after this many seconds; omit to run until Ctrl-C.")
    var duration: Double?

    @Option(help: "Prefix of the client identifiers.")
    var clientPrefix: String = "sim-"

    @Option(help: "Seed of the random drifts, so a run can be repeated.")
    var seed: UInt64 = 42

    @Flag(help: "Log every connection event of every device.")
    var verbose = false

    func validate() throws {
        guard devices >= 1 else { throw ValidationError("--devices must be at least 1") }
        guard rate > 0 else { throw ValidationError("--rate must be above 0") }
        guard devicesPerSite >= 1 else { throw ValidationError("--devices-per-site must be at least 1") }
        guard (0...2).contains(qos) else { throw ValidationError("--qos must be 0, 1 or 2") }
        guard ["3.1.1", "5"].contains(mqttVersion) else { throw ValidationError("--mqtt-version must be 3.1.1 or 5") }
        if let flap, flap <= 0 { throw ValidationError("--flap must be above 0 seconds") }
    }

    func run() async throws {
        var logger = Logger(label: "tributary.simulate")
        logger.logLevel = verbose ? .debug : .warning
        var tlsConfiguration: TLSConfiguration?
        if tls || cafile != nil {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let cafile {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cafile))
            }
            tlsConfiguration = configuration
        }
        let settings = SimulatedDevice.Settings(
            host: broker.host,
            port: broker.port,
            protocolVersion: mqttVersion == "5" ? MQTTProtocolVersion.v5 : .v3_1_1,
            qos: QoS(rawValue: UInt8(qos))!,
            rate: rate,
            username: username,
            password: password,
            tls: tlsConfiguration,
            clientIDPrefix: clientPrefix,
            meanSecondsBetweenFlaps: flap,
            seed: seed
        )
        let statistics = SimulationStatistics()
        let deadline = duration.map { ContinuousClock.now + .milliseconds(Int64($0 * 1_000)) }
        print("simulating \(devices) generators at \(rate)/s each on \(broker.host):\(broker.port)")

        await withTaskGroup(of: Void.self) { group in
            for index in 0..<devices {
                let site = index / devicesPerSite + 1
                let device = SimulatedDevice(
                    model: GeneratorModel(site: site, index: index % devicesPerSite + 1, seed: seed),
                    settings: settings,
                    statistics: statistics,
                    logger: logger
                )
                group.addTask { await device.run(until: deadline) }
            }
            let reporter = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(5))
                    print(statistics.line)
                }
            }
            await group.waitForAll()
            reporter.cancel()
        }
        print("done: " + statistics.line)
    }
}
