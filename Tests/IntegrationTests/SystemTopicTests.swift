import Broker
import Testing

@Suite(.timeLimit(.minutes(2))) struct SystemTopicTests {
    @Test func brokerStateIsPublishedUnderDollarSys() async throws {
        try await withBroker(configure: { $0.systemTopicsIntervalSeconds = 1 }) { broker in
            let subscriber = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["$SYS/broker/#"],
                version: .v311
            )
            try await MosquittoClients.publish(port: broker.port, topic: "count/me", message: "1")
            try await PeerProcess.waitUntil([subscriber], "$SYS messages/received ≥ 1") {
                subscriber.lines.compactMap(MosquittoClients.Message.init(line:)).contains {
                    $0.topic == "$SYS/broker/messages/received" && (Int($0.payload) ?? 0) >= 1
                }
            }
            let topics = Set(subscriber.lines.compactMap(MosquittoClients.Message.init(line:)).map(\.topic))
            for expected in [
                "$SYS/broker/uptime", "$SYS/broker/clients/connected", "$SYS/broker/messages/sent",
                "$SYS/broker/version",
            ] {
                #expect(topics.contains(expected))
            }
            let connected = subscriber.lines.compactMap(MosquittoClients.Message.init(line:))
                .last { $0.topic == "$SYS/broker/clients/connected" }
            #expect((Int(connected?.payload ?? "") ?? 0) >= 1)
        }
    }
}
