/// A change of the partitions a ``KafkaConsumer`` reads, in the order it happened.
public enum KafkaConsumerEvent: Hashable, Sendable {
    /// These partitions are now read; their records follow in ``KafkaConsumer/messages``.
    case assigned([TopicPartition])
    /// These partitions are no longer read: the consumer is about to rejoin the group or leave
    /// it. Records of them still buffered were dropped; the `onRevoke` callback has been (or is
    /// being) awaited before another member can take them.
    case revoked([TopicPartition])
    /// The membership was lost (session expired, fenced): these partitions may already be
    /// read by another member, and commits for them fail.
    case lost([TopicPartition])
}
