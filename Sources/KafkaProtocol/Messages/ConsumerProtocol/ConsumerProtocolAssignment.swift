import NIOCore

/// The assignment the group leader sends each member in SyncGroup when the protocol type is
/// "consumer" (ConsumerProtocolAssignment.json):
///
///     version INT16
///     assigned_partitions [topic STRING, partitions [INT32]]
///     user_data NULLABLE_BYTES
public struct ConsumerProtocolAssignment: Hashable, Sendable {
    public var version: Int16
    public var assignedPartitions: [ConsumerProtocolSubscription.TopicPartitions]
    public var userData: ByteBuffer?

    public init(
        version: Int16 = 3,
        assignedPartitions: [ConsumerProtocolSubscription.TopicPartitions],
        userData: ByteBuffer? = nil
    ) {
        self.version = version
        self.assignedPartitions = assignedPartitions
        self.userData = userData
    }

    /// Decodes an assignment. An empty buffer (a member that got nothing, as some brokers send
    /// it) decodes as an empty assignment.
    public init(from bytes: ByteBuffer) throws {
        var buffer = bytes
        guard buffer.readableBytes > 0 else {
            self.init(version: 0, assignedPartitions: [])
            return
        }
        let version = try buffer.readKafkaInt16()
        let partitions = try buffer.readKafkaArray(flexible: false, minimumElementSize: 6) { buffer in
            ConsumerProtocolSubscription.TopicPartitions(
                topic: try buffer.readKafkaString(),
                partitions: try buffer.readKafkaInt32Array(flexible: false)
            )
        }
        self.init(version: version, assignedPartitions: partitions, userData: try buffer.readKafkaNullableBytes())
    }

    /// Encodes the assignment.
    public func encoded() throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeKafkaInt16(self.version)
        try buffer.writeKafkaArray(self.assignedPartitions, flexible: false) { buffer, assigned in
            try buffer.writeKafkaString(assigned.topic)
            try buffer.writeKafkaInt32Array(assigned.partitions, flexible: false)
        }
        buffer.writeKafkaNullableBytes(self.userData)
        return buffer
    }
}
