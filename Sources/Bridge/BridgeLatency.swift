import Histogram
import NIOConcurrencyHelpers

/// Time from a message's arrival at the bridge to Kafka's acknowledgement of its record, per
/// mapping: since start (for `$SYS`) and since the last periodic log line.
final class BridgeLatency: Sendable {
    struct Summary: Sendable {
        var count: UInt64
        var p50Milliseconds: Double
        var p99Milliseconds: Double
    }

    private struct Histograms {
        var total = BridgeLatency.makeHistogram()
        var window = BridgeLatency.makeHistogram()
    }

    private let histograms = NIOLockedValueBox(Histograms())

    /// Microseconds, up to ten minutes, three significant digits.
    private static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
    }

    func record(nanoseconds: UInt64) {
        let microseconds = min(600_000_000, max(1, nanoseconds / 1_000))
        histograms.withLockedValue { histograms in
            _ = histograms.total.record(microseconds)
            _ = histograms.window.record(microseconds)
        }
    }

    var total: Summary {
        histograms.withLockedValue { Self.summary(of: $0.total) }
    }

    /// The window since the last call, which starts a new one.
    func takeWindow() -> Summary {
        histograms.withLockedValue { histograms in
            defer { histograms.window = Self.makeHistogram() }
            return Self.summary(of: histograms.window)
        }
    }

    private static func summary(of histogram: Histogram<UInt64>) -> Summary {
        Summary(
            count: histogram.totalCount,
            p50Milliseconds: Double(histogram.valueAtPercentile(50)) / 1_000,
            p99Milliseconds: Double(histogram.valueAtPercentile(99)) / 1_000
        )
    }
}
