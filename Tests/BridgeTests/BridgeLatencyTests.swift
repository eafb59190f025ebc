import Testing

@testable import Bridge

@Suite struct BridgeLatencyTests {
    @Test func percentilesComeFromWhatWasRecordedAndTheWindowStartsAgain() {
        let latency = BridgeLatency()
        for _ in 0..<98 { latency.record(nanoseconds: 1_000_000) }
        for _ in 0..<2 { latency.record(nanoseconds: 100_000_000) }
        let window = latency.takeWindow()
        #expect(window.count == 100)
        #expect(abs(window.p50Milliseconds - 1) < 0.01)
        #expect(abs(window.p99Milliseconds - 100) < 0.1)
        #expect(latency.takeWindow().count == 0)
        // The total keeps everything.
        latency.record(nanoseconds: 5_000_000)
        #expect(latency.total.count == 101)
    }
}
