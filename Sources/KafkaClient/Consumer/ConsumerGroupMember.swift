/// A group member as the leader's assignor sees it: its ids and the topics it subscribed to.
struct ConsumerGroupMember: Hashable, Sendable {
    var memberID: String
    var groupInstanceID: String?
    var topics: Set<String>

    /// Kafka's member order (`AbstractPartitionAssignor.MemberInfo.compareTo`): static members
    /// first, by instance id; then dynamic members by member id. Every assignor that follows it
    /// gives a rejoining static member the same partitions.
    static func kafkaOrder(_ lhs: ConsumerGroupMember, _ rhs: ConsumerGroupMember) -> Bool {
        switch (lhs.groupInstanceID, rhs.groupInstanceID) {
        case (let left?, let right?): return left < right
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return lhs.memberID < rhs.memberID
        }
    }
}
