import CoreMetrics
import Metrics

/// The producer's swift-metrics instruments (exported by whatever backend the process bootstraps).
struct ProducerMetrics: Sendable {
    private let deliveredRecords: Counter
    private let failedRecords: Counter
    private let retriedBatches: Counter
    private let requests: Counter
    private let bufferedBytes: Gauge

    init(clientID: String) {
        let dimensions = [("client_id", clientID)]
        self.deliveredRecords = Counter(label: "kafka_producer_records_delivered_total", dimensions: dimensions)
        self.failedRecords = Counter(label: "kafka_producer_records_failed_total", dimensions: dimensions)
        self.retriedBatches = Counter(label: "kafka_producer_batches_retried_total", dimensions: dimensions)
        self.requests = Counter(label: "kafka_producer_requests_total", dimensions: dimensions)
        self.bufferedBytes = Gauge(label: "kafka_producer_buffered_bytes", dimensions: dimensions)
    }

    func delivered(_ count: Int) { self.deliveredRecords.increment(by: count) }
    func failed(_ count: Int) { self.failedRecords.increment(by: count) }
    func batchRetried() { self.retriedBatches.increment() }
    func requestSent() { self.requests.increment() }
    func buffered(_ bytes: Int) { self.bufferedBytes.record(bytes) }
}
