import KafkaProtocol
import Testing

@testable import KafkaClient

@Suite struct ClusterMetadataTests {
    private func response(topics: [MetadataResponse.Topic]) -> MetadataResponse {
        MetadataResponse(
            brokers: [.init(nodeID: 1, host: "b1", port: 9092), .init(nodeID: 2, host: "b2", port: 9093)],
            clusterID: "c",
            controllerID: 2,
            topics: topics
        )
    }

    private func topic(_ name: String, leaders: [Int32]) -> MetadataResponse.Topic {
        MetadataResponse.Topic(
            name: name,
            partitions: leaders.enumerated().reversed().map {
                .init(
                    partitionIndex: Int32($0.offset),
                    leaderID: $0.element,
                    replicaNodes: [$0.element],
                    isrNodes: [$0.element]
                )
            }
        )
    }

    @Test func keepsBrokersControllerAndSortedPartitions() {
        var metadata = ClusterMetadata()
        metadata.apply(self.response(topics: [self.topic("t", leaders: [1, 2, 1])]), requested: ["t"])
        #expect(metadata.brokers[2] == KafkaBrokerAddress(host: "b2", port: 9093))
        #expect(metadata.controllerID == 2)
        #expect(metadata.topics["t"]?.partitions.map(\.id) == [0, 1, 2])
        #expect(metadata.leader(topic: "t", partition: 1) == 2)
        #expect(metadata.topics["t"]?.isUsable == true)
    }

    @Test func invalidatedLeaderIsUnknownUntilRefreshed() {
        var metadata = ClusterMetadata()
        metadata.apply(self.response(topics: [self.topic("t", leaders: [1, 2])]), requested: ["t"])
        metadata.invalidateLeader(topic: "t", partition: 1)
        #expect(metadata.leader(topic: "t", partition: 1) == nil)
        #expect(metadata.topics["t"]?.isUsable == false)
        metadata.apply(self.response(topics: [self.topic("t", leaders: [1, 1])]), requested: ["t"])
        #expect(metadata.leader(topic: "t", partition: 1) == 1)
    }

    @Test func allTopicsAnswerDropsDeletedTopics() {
        var metadata = ClusterMetadata()
        metadata.apply(
            self.response(topics: [self.topic("a", leaders: [1]), self.topic("b", leaders: [1])]),
            requested: nil
        )
        metadata.apply(self.response(topics: [self.topic("a", leaders: [1])]), requested: nil)
        #expect(metadata.topics.keys.sorted() == ["a"])
        metadata.apply(self.response(topics: [self.topic("c", leaders: [1])]), requested: ["c"])
        #expect(metadata.topics.keys.sorted() == ["a", "c"])
    }
}
