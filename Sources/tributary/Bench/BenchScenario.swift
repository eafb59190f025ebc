/// Who publishes to whom in a benchmark run.
enum BenchTopology: String, CaseIterable, Sendable {
    /// Many publishers, one subscriber on a wildcard: telemetry flowing into one consumer.
    case fanIn = "fan-in"
    /// One publisher, many subscribers of one topic: a broadcast.
    case fanOut = "fan-out"
    /// Pairs: publisher i to subscriber i on its own topic.
    case pointToPoint = "point-to-point"
}

/// The concrete plan of a run: topics and how many deliveries each message makes.
struct BenchScenario: Sendable {
    var topology: BenchTopology
    var publishers: Int
    var subscribers: Int
    /// A prefix no other run uses, so runs against a shared broker do not mix.
    var topicRoot: String

    init(topology: BenchTopology, connections: Int, topicRoot: String) {
        self.topology = topology
        self.topicRoot = topicRoot
        switch topology {
        case .fanIn:
            publishers = connections
            subscribers = 1
        case .fanOut:
            publishers = 1
            subscribers = connections
        case .pointToPoint:
            publishers = connections
            subscribers = connections
        }
    }

    func publishTopic(publisher: Int) -> String {
        switch topology {
        case .fanIn, .pointToPoint: "\(topicRoot)/\(publisher)"
        case .fanOut: "\(topicRoot)/all"
        }
    }

    func subscriptionFilter(subscriber: Int) -> String {
        switch topology {
        case .fanIn: "\(topicRoot)/+"
        case .fanOut: "\(topicRoot)/all"
        case .pointToPoint: "\(topicRoot)/\(subscriber)"
        }
    }

    /// How many subscribers receive each message of one publisher.
    var deliveriesPerMessage: Int {
        switch topology {
        case .fanIn, .pointToPoint: 1
        case .fanOut: subscribers
        }
    }
}
