import MQTTCodec

/// What one benchmark run does.
struct BenchOptions: Sendable {
    var host: String
    var port: Int
    var topology: BenchTopology
    /// Publishers for fan-in, subscribers for fan-out, pairs for point-to-point.
    var connections: Int
    var qos: QoS
    var payloadSize: Int
    var protocolVersion: MQTTProtocolVersion
    var warmup: Duration
    var duration: Duration
    /// Messages each publisher may have outstanding end to end.
    var inFlight: Int
    /// Messages per second per publisher; nil sends as fast as the window allows.
    var rate: Int?
    /// Clients ask for persistent sessions (each run uses new client identifiers).
    var persistentSessions: Bool = false
    /// How long to wait for stragglers after the measured period before counting them lost.
    var drainTimeout: Duration = .seconds(15)
}
