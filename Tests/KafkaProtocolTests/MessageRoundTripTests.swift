import KafkaProtocol
import NIOCore
import Testing

/// Every request and response in every implemented version: encode, decode, encode again gives the
/// same bytes; at the newest version the decoded value equals the sample (after `normalize`
/// removes what that version does not carry).
@Suite("Request and response round trips")
struct MessageRoundTripTests {
    func check<Message: KafkaMessage>(
        _ sample: Message,
        normalize: (inout Message) -> Void = { _ in },
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let versions = implementedVersions(of: Message.self)
        for version in versions {
            try assertStableRoundTrip(sample, version: version, sourceLocation: sourceLocation)
        }
        var expected = sample
        normalize(&expected)
        let newest = try Message.decode(from: try sample.encoded(version: versions.last!), version: versions.last!)
        #expect(newest == expected, sourceLocation: sourceLocation)
    }

    @Test func apiVersions() throws {
        try self.check(MessageSamples.apiVersionsRequest)
        try self.check(MessageSamples.apiVersionsResponse)
        let v0 = try assertStableRoundTrip(MessageSamples.apiVersionsResponse, version: 0)
        #expect(v0.apiKeys == MessageSamples.apiVersionsResponse.apiKeys)
        #expect(v0.throttleTimeMs == 0 && v0.supportedFeatures.isEmpty)
    }

    @Test func metadata() throws {
        try self.check(MessageSamples.metadataRequest)
        try self.check(MessageSamples.metadataResponse)
        // v1: null topics means "all topics"; an empty array means none.
        let all = try assertStableRoundTrip(MetadataRequest(topics: nil), version: 1)
        #expect(all.topics == nil)
        let none = try assertStableRoundTrip(MetadataRequest(topics: []), version: 1)
        #expect(none.topics == [])
        // A topic by id only (null name) needs v10+.
        let byID = MetadataRequest(topics: [.init(name: nil, topicID: MessageSamples.topicID)])
        #expect(throws: KafkaProtocolError.self) { try byID.encoded(version: 9) }
        #expect(try assertStableRoundTrip(byID, version: 10) == byID)
    }

    @Test func produce() throws {
        try self.check(MessageSamples.produceRequest)
        try self.check(MessageSamples.produceResponse)
        let v9 = try assertStableRoundTrip(MessageSamples.produceResponse, version: 9)
        #expect(v9.nodeEndpoints.isEmpty && v9.responses[0].partitionResponses[0].currentLeader == nil)
        #expect(v9.responses[0].partitionResponses[0].errorMessage == "moved")
    }

    @Test func initProducerId() throws {
        try self.check(MessageSamples.initProducerIdRequest)
        try self.check(MessageSamples.initProducerIdResponse)
        let v2 = try assertStableRoundTrip(MessageSamples.initProducerIdRequest, version: 2)
        #expect(v2.producerID == -1 && v2.producerEpoch == -1)
    }

    @Test func createTopics() throws {
        try self.check(MessageSamples.createTopicsRequest)
        try self.check(MessageSamples.createTopicsResponse)
    }

    @Test func deleteTopics() throws {
        try self.check(MessageSamples.deleteTopicsRequest)
        try self.check(MessageSamples.deleteTopicsResponse)
    }

    @Test func listOffsets() throws {
        try self.check(MessageSamples.listOffsetsRequest)
        try self.check(MessageSamples.listOffsetsResponse)
    }

    @Test func fetch() throws {
        try self.check(MessageSamples.fetchRequest) { request in
            // v13+ identifies topics by id only.
            request.topics[0].topic = ""
            request.forgottenTopicsData[0].topic = ""
        }
        try self.check(MessageSamples.fetchResponse) { $0.responses[0].topic = "" }
        let v12 = try assertStableRoundTrip(MessageSamples.fetchResponse, version: 12)
        #expect(v12.responses[0].topic == "t" && v12.responses[0].topicID == .zero)
        #expect(v12.responses[0].partitions[0].records == ByteBuffer(string: "records"))
        // A follower's replica id travels in the body up to v14 and in tagged field 1 from v15.
        var follower = MessageSamples.fetchRequest
        follower.replicaID = 3
        follower.replicaEpoch = 8
        #expect(try assertStableRoundTrip(follower, version: 14).replicaID == 3)
        let v15 = try assertStableRoundTrip(follower, version: 15)
        #expect(v15.replicaID == 3 && v15.replicaEpoch == 8)
    }

    @Test func findCoordinator() throws {
        try self.check(MessageSamples.findCoordinatorRequest)
        try self.check(MessageSamples.findCoordinatorResponse)
        let batched = FindCoordinatorRequest(keys: ["a", "b"])
        #expect(throws: KafkaProtocolError.self) { try batched.encoded(version: 3) }
        let v3 = try assertStableRoundTrip(MessageSamples.findCoordinatorResponse, version: 3)
        #expect(v3.coordinators[0].key == "" && v3.coordinators[0].host == "h")
    }

    @Test func joinGroup() throws {
        try self.check(MessageSamples.joinGroupRequest)
        try self.check(MessageSamples.joinGroupResponse)
    }

    @Test func syncGroup() throws {
        try self.check(MessageSamples.syncGroupRequest)
        try self.check(MessageSamples.syncGroupResponse)
    }

    @Test func heartbeat() throws {
        try self.check(MessageSamples.heartbeatRequest)
        try self.check(MessageSamples.heartbeatResponse)
        // HeartbeatRequest v3: STRING group, INT32 generation, STRING member, NULLABLE_STRING instance.
        #expect(
            try MessageSamples.heartbeatRequest.encoded(version: 3).hexString
                == hex("000167 00000004 00016d 0008696e7374616e6365")
        )
        // v4 (flexible): compact strings and a trailing empty tagged-field section.
        #expect(
            try MessageSamples.heartbeatRequest.encoded(version: 4).hexString
                == hex("0267 00000004 026d 09696e7374616e6365 00")
        )
    }

    @Test func leaveGroup() throws {
        try self.check(MessageSamples.leaveGroupRequest)
        try self.check(MessageSamples.leaveGroupResponse)
    }

    @Test func offsetCommit() throws {
        try self.check(MessageSamples.offsetCommitRequest)
        try self.check(MessageSamples.offsetCommitResponse)
    }

    @Test func offsetFetch() throws {
        try self.check(MessageSamples.offsetFetchRequest)
        try self.check(MessageSamples.offsetFetchResponse)
        let v7 = try assertStableRoundTrip(MessageSamples.offsetFetchResponse, version: 7)
        #expect(v7.groups.count == 1 && v7.groups[0].topics == MessageSamples.offsetFetchResponse.groups[0].topics)
        let allPartitions = OffsetFetchRequest(groups: [.init(groupID: "g", topics: nil)])
        #expect(throws: KafkaProtocolError.self) { try allPartitions.encoded(version: 1) }
        #expect(try assertStableRoundTrip(allPartitions, version: 2).groups[0].topics == nil)
    }

    @Test func sasl() throws {
        try self.check(MessageSamples.saslHandshakeRequest)
        try self.check(MessageSamples.saslHandshakeResponse)
        try self.check(MessageSamples.saslAuthenticateRequest)
        try self.check(MessageSamples.saslAuthenticateResponse)
    }

    @Test func consumerProtocol() throws {
        let subscription = ConsumerProtocolSubscription(
            topics: ["a", "b"],
            userData: ByteBuffer(bytes: [1]),
            ownedPartitions: [.init(topic: "a", partitions: [0, 2])],
            generationID: 5,
            rackID: "r"
        )
        for version: Int16 in 0...3 {
            var versioned = subscription
            versioned.version = version
            let decoded = try ConsumerProtocolSubscription(from: try versioned.encoded())
            #expect(decoded.topics == ["a", "b"] && decoded.version == version)
            if version == 3 { #expect(decoded == subscription) }
        }
        let assignment = ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "a", partitions: [1])])
        #expect(try ConsumerProtocolAssignment(from: try assignment.encoded()) == assignment)
        #expect(try ConsumerProtocolAssignment(from: ByteBuffer()).assignedPartitions.isEmpty)
    }

    @Test("versions outside our range are refused on both sides")
    func unsupportedVersions() throws {
        let error = #expect(throws: KafkaProtocolError.self) { try MessageSamples.produceRequest.encoded(version: 2) }
        #expect(error?.code == .unsupportedVersion)
        #expect(throws: KafkaProtocolError.self) {
            try FetchResponse.decode(from: ByteBuffer(), version: 18)
        }
    }

    @Test("decoding rejects bytes left over after the message")
    func trailingBytes() throws {
        var encoded = try MessageSamples.heartbeatResponse.encoded(version: 4)
        encoded.writeInteger(UInt8(0))
        let error = #expect(throws: KafkaProtocolError.self) { try HeartbeatResponse.decode(from: encoded, version: 4) }
        #expect(error?.code == .trailingBytes)
        #expect(error?.context.first == "HeartbeatResponse v4")
    }
}
