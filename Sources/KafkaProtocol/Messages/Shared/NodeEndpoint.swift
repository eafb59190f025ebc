import NIOCore

/// A broker endpoint as Produce v10+ and Fetch v16+ responses return it in their `NodeEndpoints`
/// tagged field (KIP-951, leader discovery without a metadata round trip):
///
///     node_id INT32, host COMPACT_STRING, port INT32, rack COMPACT_NULLABLE_STRING, _tagged_fields
public struct NodeEndpoint: Hashable, Sendable {
    public var nodeID: Int32
    public var host: String
    public var port: Int32
    public var rack: String?

    public init(nodeID: Int32, host: String, port: Int32, rack: String? = nil) {
        self.nodeID = nodeID
        self.host = host
        self.port = port
        self.rack = rack
    }

    static func readArray(from buffer: inout ByteBuffer) throws -> [NodeEndpoint] {
        try buffer.readKafkaArray(flexible: true, minimumElementSize: 11) { buffer in
            let endpoint = NodeEndpoint(
                nodeID: try buffer.readKafkaInt32(),
                host: try buffer.readKafkaCompactString(),
                port: try buffer.readKafkaInt32(),
                rack: try buffer.readKafkaCompactNullableString()
            )
            try buffer.readKafkaTaggedFields()
            return endpoint
        }
    }

    static func writeArray(_ endpoints: [NodeEndpoint], into buffer: inout ByteBuffer) throws {
        try buffer.writeKafkaArray(endpoints, flexible: true) { buffer, endpoint in
            buffer.writeKafkaInt32(endpoint.nodeID)
            buffer.writeKafkaCompactString(endpoint.host)
            buffer.writeKafkaInt32(endpoint.port)
            buffer.writeKafkaCompactNullableString(endpoint.rack)
            buffer.writeKafkaEmptyTaggedFields()
        }
    }
}

/// A partition's current leader as Produce v10+ (tag 0) and Fetch v12+ (tag 1) return it:
///
///     leader_id INT32 (default -1), leader_epoch INT32 (default -1), _tagged_fields
public struct LeaderIDAndEpoch: Hashable, Sendable {
    public var leaderID: Int32
    public var leaderEpoch: Int32

    public init(leaderID: Int32 = -1, leaderEpoch: Int32 = -1) {
        self.leaderID = leaderID
        self.leaderEpoch = leaderEpoch
    }

    static func read(from buffer: inout ByteBuffer) throws -> LeaderIDAndEpoch {
        let value = LeaderIDAndEpoch(leaderID: try buffer.readKafkaInt32(), leaderEpoch: try buffer.readKafkaInt32())
        try buffer.readKafkaTaggedFields()
        return value
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeKafkaInt32(self.leaderID)
        buffer.writeKafkaInt32(self.leaderEpoch)
        buffer.writeKafkaEmptyTaggedFields()
    }
}
