import CoreMetrics
import Metrics

/// The consumer's swift-metrics instruments (exported by whatever backend the process bootstraps).
struct ConsumerMetrics: Sendable {
    private let fetchedRecords: Counter
    private let fetchRequests: Counter
    private let commits: Counter
    private let failedCommits: Counter
    private let assignments: Counter
    private let bufferedRecords: Gauge

    init(clientID: String, groupID: String?) {
        let dimensions = [("client_id", clientID), ("group_id", groupID ?? "")]
        self.fetchedRecords = Counter(label: "kafka_consumer_records_fetched_total", dimensions: dimensions)
        self.fetchRequests = Counter(label: "kafka_consumer_fetch_requests_total", dimensions: dimensions)
        self.commits = Counter(label: "kafka_consumer_commits_total", dimensions: dimensions)
        self.failedCommits = Counter(label: "kafka_consumer_commits_failed_total", dimensions: dimensions)
        self.assignments = Counter(label: "kafka_consumer_assignments_total", dimensions: dimensions)
        self.bufferedRecords = Gauge(label: "kafka_consumer_buffered_records", dimensions: dimensions)
    }

    func fetched(_ count: Int, buffered: Int) {
        self.fetchedRecords.increment(by: count)
        self.bufferedRecords.record(buffered)
    }
    func fetchSent() { self.fetchRequests.increment() }
    func committed() { self.commits.increment() }
    func commitFailed() { self.failedCommits.increment() }
    func assigned() { self.assignments.increment() }
}
