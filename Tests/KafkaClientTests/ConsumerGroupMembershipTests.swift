import KafkaProtocol
import Testing

@testable import KafkaClient

@Suite struct ConsumerGroupMembershipTests {
    static func joined(
        _ errorCode: KafkaErrorCode = .noError,
        member: String = "m-1",
        leader: String = "m-1",
        generation: Int32 = 5
    ) -> JoinGroupResponse {
        JoinGroupResponse(
            errorCode: errorCode,
            generationID: generation,
            protocolName: "range",
            leader: leader,
            memberID: member
        )
    }

    @Test func firstJoinTakesTheMemberIDThenSyncsAsLeader() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        #expect(membership.state == .joining)
        // KIP-394: the first JoinGroup is answered MEMBER_ID_REQUIRED with the id to use.
        let result1 = membership.joinAnswered(Self.joined(.memberIDRequired, member: "m-1", generation: -1))
        #expect(result1 == .rejoin)
        #expect(membership.memberID == "m-1")
        #expect(membership.state == .unjoined)
        membership.joinSent()
        let result2 = membership.joinAnswered(Self.joined())
        #expect(result2 == .sync(isLeader: true))
        #expect(membership.generationID == 5)
        #expect(membership.protocolName == "range")
        let result3 = membership.syncAnswered(errorCode: .noError)
        #expect(result3 == .assigned)
        #expect(membership.isStable)
        let result4 = membership.heartbeatAnswered(errorCode: .noError)
        #expect(result4 == .proceed)
    }

    @Test func followerSyncsWithoutAssigning() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        let result5 = membership.joinAnswered(Self.joined(member: "m-2", leader: "m-1"))
        #expect(result5 == .sync(isLeader: false))
        #expect(!membership.isLeader)
    }

    @Test func rebalanceKeepsTheGenerationSoRevokedPartitionsCanBeCommitted() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        _ = membership.syncAnswered(errorCode: .noError)
        let result6 = membership.heartbeatAnswered(errorCode: .rebalanceInProgress)
        #expect(result6 == .rejoin)
        #expect(membership.generationID == 5)
        #expect(membership.memberID == "m-1")
        #expect(!membership.isStable)
    }

    @Test func unknownMemberLosesThePartitionsAndRejoinsWithoutAnID() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        _ = membership.syncAnswered(errorCode: .noError)
        let result7 = membership.heartbeatAnswered(errorCode: .unknownMemberID)
        #expect(result7 == .lostAndRejoin)
        #expect(membership.memberID == "")
        #expect(membership.generationID == -1)
    }

    @Test func illegalGenerationKeepsTheMemberID() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        _ = membership.syncAnswered(errorCode: .noError)
        let result8 = membership.heartbeatAnswered(errorCode: .illegalGeneration)
        #expect(result8 == .lostAndRejoin)
        #expect(membership.memberID == "m-1")
        #expect(membership.generationID == -1)
    }

    @Test func coordinatorMovesAreRediscovered() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        let result9 = membership.joinAnswered(Self.joined(.notCoordinator))
        #expect(result9 == .findCoordinator)
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        let result10 = membership.syncAnswered(errorCode: .coordinatorNotAvailable)
        #expect(result10 == .findCoordinator)
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        _ = membership.syncAnswered(errorCode: .noError)
        let result11 = membership.heartbeatAnswered(errorCode: .notCoordinator)
        #expect(result11 == .findCoordinator)
        // Still a member of the generation: heartbeats continue at the new coordinator.
        #expect(membership.isStable)
    }

    @Test func fatalAnswersStopTheConsumer() {
        var membership = ConsumerGroupMembership(groupInstanceID: "node-a")
        membership.joinSent()
        let result12 = membership.joinAnswered(Self.joined(.inconsistentGroupProtocol))
        #expect(result12 == .fail(.inconsistentGroupProtocol))
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        _ = membership.syncAnswered(errorCode: .noError)
        let result13 = membership.heartbeatAnswered(errorCode: .fencedInstanceID)
        #expect(result13 == .fail(.fencedInstanceID))
    }

    @Test func commitErrorsMapToRejoinOrLoss() {
        var membership = ConsumerGroupMembership()
        membership.joinSent()
        _ = membership.joinAnswered(Self.joined())
        _ = membership.syncAnswered(errorCode: .noError)
        let result14 = membership.commitFailed(errorCode: .rebalanceInProgress)
        #expect(result14 == .rejoin)
        let result15 = membership.commitFailed(errorCode: .notCoordinator)
        #expect(result15 == .findCoordinator)
        let result16 = membership.commitFailed(errorCode: .unknownMemberID)
        #expect(result16 == .lostAndRejoin)
        #expect(!membership.isStable)
    }
}
