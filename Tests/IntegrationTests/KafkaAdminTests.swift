import Foundation
import KafkaClient
import KafkaProtocol
import Testing

/// Our admin client against tansu, checked by confluent-kafka's AdminClient.
@Suite(.serialized) struct KafkaAdminTests {
    static let listTopicsScript = """
        import json, sys
        from confluent_kafka.admin import AdminClient
        admin = AdminClient({"bootstrap.servers": sys.argv[1]})
        md = admin.list_topics(timeout=20)
        for name, topic in md.topics.items():
            print(json.dumps({"name": name, "partitions": len(topic.partitions)}), flush=True)
        """

    static let createTopicScript = """
        import sys
        from confluent_kafka.admin import AdminClient, NewTopic
        admin = AdminClient({"bootstrap.servers": sys.argv[1]})
        futures = admin.create_topics([NewTopic(sys.argv[2], num_partitions=int(sys.argv[3]), replication_factor=1)])
        for future in futures.values():
            future.result(timeout=20)
        """

    private func theirTopics(_ tansu: TansuBroker) async throws -> [String: Int] {
        let lines = try await TansuPython.run(Self.listTopicsScript, [tansu.bootstrap])
        var topics: [String: Int] = [:]
        for object in TansuPython.objects(lines) {
            topics[object["name"] as! String] = object["partitions"] as? Int
        }
        return topics
    }

    @Test func topicWeCreateIsSeenByConfluentKafkaAndTheirsByUs() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let client = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { client.shutdown() }

        try await client.createTopic("ours", partitions: 3, replicationFactor: 1)
        let theirs = try await self.theirTopics(tansu)
        #expect(theirs["ours"] == 3)

        _ = try await TansuPython.run(Self.createTopicScript, [tansu.bootstrap, "theirs", "4"])
        let listed = try await client.listTopics()
        #expect(listed.first { $0.name == "theirs" }?.partitions.map(\.id) == [0, 1, 2, 3])
        #expect(listed.first { $0.name == "ours" }?.partitions.count == 3)
        let described = try await client.describeTopic("theirs")
        #expect(described.partitions.allSatisfy { $0.leader >= 0 })
    }

    @Test func creatingAnExistingTopicFailsWithTheBrokersCode() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let client = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { client.shutdown() }
        try await client.createTopic("twice", partitions: 1)
        let error = await #expect(throws: KafkaError.self) { try await client.createTopic("twice", partitions: 1) }
        #expect(error?.brokerErrorCode == .topicAlreadyExists)
        #expect(error?.isRetriable == false)
    }

    @Test func deletedTopicIsGoneForConfluentKafka() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let client = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { client.shutdown() }
        try await client.createTopic("doomed", partitions: 2)
        try await client.deleteTopic("doomed")
        let theirs = try await self.theirTopics(tansu)
        #expect(theirs["doomed"] == nil)
    }

    @Test func bootstrapSkipsAnAddressNobodyListensOn() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let dead = try LoopbackPort.pickFree()
        let client = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [
                KafkaBrokerAddress(host: "127.0.0.1", port: dead), KafkaBrokerAddress(tansu.bootstrap)!,
            ])
        )
        defer { client.shutdown() }
        try await client.createTopic("via-second", partitions: 1)
        let topics = try await client.listTopics()
        #expect(topics.contains { $0.name == "via-second" })
    }

    @Test func noReachableBrokerIsAConnectionError() async throws {
        let dead = try LoopbackPort.pickFree()
        var configuration = KafkaClientConfiguration(bootstrapServers: [
            KafkaBrokerAddress(host: "127.0.0.1", port: dead)
        ])
        configuration.operationTimeout = .milliseconds(300)
        let client = try KafkaClusterClient(configuration: configuration)
        defer { client.shutdown() }
        let error = await #expect(throws: KafkaError.self) { try await client.listTopics() }
        #expect(error?.code == .connectionFailed)
        #expect(error?.isRetriable == true)
    }
}
