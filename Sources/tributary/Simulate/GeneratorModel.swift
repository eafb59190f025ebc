import Foundation

/// One simulated emergency fuel generator: the physics that makes its telemetry plausible.
///
/// Pure and seeded, so tests drive it step by step. Load wanders as a random walk; fuel falls in
/// proportion to load and is topped up when it runs low (a refuel event); temperature moves
/// towards a value set by load with some inertia; pressure and position jitter slightly.
struct GeneratorModel: Sendable {
    /// The generator's rated output; `power` = load × this.
    static let ratedKilowatts = 500.0
    /// Fraction of a full tank burnt per second at full load (a full tank lasts ~14 hours).
    static let fuelPerSecondAtFullLoad = 1.0 / 50_000
    /// Below this the tank is refilled.
    static let refuelLevel = 0.1

    let generatorID: String
    let site: Int
    let latitude: Double
    let longitude: Double
    private(set) var load: Double
    private(set) var fuel: Double
    private(set) var temperature: Double
    private(set) var pressure: Double
    /// Numbers every telemetry message from 1, so consumers can check completeness and order.
    private(set) var sequence: Int = 0
    private(set) var refuels = 0
    private var random: SplitMix64

    init(site: Int, index: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed ^ (UInt64(site) << 32) ^ UInt64(index))
        self.generatorID = "gen-\(site)-\(index)"
        self.site = site
        self.latitude = 48 + random.unit() * 6
        self.longitude = 2 + random.unit() * 14
        self.load = 0.2 + random.unit() * 0.6
        self.fuel = 0.5 + random.unit() * 0.5
        self.temperature = 40 + 50 * load
        self.pressure = 1.0
        self.random = random
    }

    /// The MQTT topic of its telemetry.
    var telemetryTopic: String { "site/\(site)/generator/\(generatorID)/telemetry" }
    /// Where its Last Will (`offline`) and its `online` status go.
    var statusTopic: String { "site/\(site)/generator/\(generatorID)/status" }

    /// Advances the model by `seconds` and returns the next telemetry message.
    mutating func step(seconds: Double, timestamp: Date) -> Telemetry {
        load = min(1, max(0.05, load + (random.unit() - 0.5) * 0.05))
        fuel -= load * Self.fuelPerSecondAtFullLoad * seconds
        if fuel < Self.refuelLevel {
            fuel = 1
            refuels += 1
        }
        let target = 40 + 50 * load
        temperature += (target - temperature) * min(1, seconds / 60) + (random.unit() - 0.5) * 0.2
        pressure = 1.0 + (random.unit() - 0.5) * 0.04
        sequence += 1
        return Telemetry(
            generatorID: generatorID,
            lat: latitude,
            lon: longitude,
            temperature: temperature,
            pressure: pressure,
            fuel: fuel,
            power: load * Self.ratedKilowatts,
            load: load,
            ts: Int64((timestamp.timeIntervalSince1970 * 1_000).rounded()),
            seq: sequence
        )
    }
}

/// The telemetry payload; `schemas/generator.json` is its JSON Schema.
struct Telemetry: Codable, Sendable, Equatable {
    var generatorID: String
    var lat: Double
    var lon: Double
    /// °C.
    var temperature: Double
    /// bar.
    var pressure: Double
    /// Fraction of a full tank, 0...1.
    var fuel: Double
    /// kW.
    var power: Double
    /// Fraction of rated output, 0...1.
    var load: Double
    /// Unix milliseconds.
    var ts: Int64
    /// 1, 2, 3, ... per generator.
    var seq: Int
}

/// A small, fast, seedable generator (Steele, Lea, Flood: "Fast splittable pseudorandom number
/// generators", 2014), so a simulation can be replayed.
struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<1.
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
