import NIOCore

/// InitProducerId request (key 22), versions 0-5 (InitProducerIdRequest.json, flexible 2+):
///
///     transactional_id NULLABLE_STRING
///     transaction_timeout_ms INT32
///     producer_id INT64 (v3+, default -1)
///     producer_epoch INT16 (v3+, default -1)
///
/// An idempotent (non-transactional) producer sends a null transactional id (KIP-98). v3+ lets
/// it bump its epoch after an error by sending its current id and epoch (KIP-360).
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let apiKey = APIKey.initProducerID

    public var transactionalID: String?
    public var transactionTimeoutMs: Int32
    public var producerID: Int64
    public var producerEpoch: Int16

    public init(
        transactionalID: String? = nil,
        transactionTimeoutMs: Int32 = -1,
        producerID: Int64 = -1,
        producerEpoch: Int16 = -1
    ) {
        self.transactionalID = transactionalID
        self.transactionTimeoutMs = transactionTimeoutMs
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.init()
        self.transactionalID = try buffer.readKafkaNullableString(flexible: flexible)
        self.transactionTimeoutMs = try buffer.readKafkaInt32()
        if version >= 3 {
            self.producerID = try buffer.readKafkaInt64()
            self.producerEpoch = try buffer.readKafkaInt16()
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        try buffer.writeKafkaNullableString(self.transactionalID, flexible: flexible)
        buffer.writeKafkaInt32(self.transactionTimeoutMs)
        if version >= 3 {
            buffer.writeKafkaInt64(self.producerID)
            buffer.writeKafkaInt16(self.producerEpoch)
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
