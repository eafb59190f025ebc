import Foundation

/// The figures of one run.
struct BenchResult: Codable, Sendable {
    var scenario: String
    var qos: Int
    var connections: Int
    var payloadSize: Int
    var durationSeconds: Double
    /// Messages sent during the measured period, per second.
    var sentPerSecond: Double
    /// Deliveries of messages sent during the measured period, per second.
    var receivedPerSecond: Double
    var sent: Int
    var expectedDeliveries: Int
    var received: Int
    /// Expected deliveries that never arrived (after the drain period).
    var lost: Int
    /// Deliveries that arrived twice or out of publisher order.
    var outOfOrder: Int
    var publishErrors: Int
    var latencyMilliseconds: Latency

    struct Latency: Codable, Sendable {
        var p50: Double
        var p90: Double
        var p99: Double
        var p999: Double
        var max: Double
    }

    static let tableHeader =
        "scenario        qos conns  payload   sent msg/s   recv msg/s    lost  p50 ms  p99 ms  p99.9 ms  max ms"

    var tableRow: String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
        return scenario.padding(toLength: 15, withPad: " ", startingAt: 0)
            + pad("\(qos)", 4) + pad("\(connections)", 6) + pad("\(payloadSize)", 9)
            + pad(fixed(sentPerSecond, 0), 13) + pad(fixed(receivedPerSecond, 0), 13) + pad("\(lost)", 8)
            + pad(fixed(latencyMilliseconds.p50, 2), 8) + pad(fixed(latencyMilliseconds.p99, 2), 8)
            + pad(fixed(latencyMilliseconds.p999, 2), 10) + pad(fixed(latencyMilliseconds.max, 2), 8)
    }
}
