import NIOCore

/// InitProducerId response (key 22), versions 0-5 (InitProducerIdResponse.json, flexible 2+):
///
///     throttle_time_ms INT32, error_code INT16, producer_id INT64, producer_epoch INT16
public struct InitProducerIdResponse: KafkaMessage {
    public static let apiKey = APIKey.initProducerID

    public var throttleTimeMs: Int32
    public var errorCode: KafkaErrorCode
    public var producerID: Int64
    public var producerEpoch: Int16

    public init(
        throttleTimeMs: Int32 = 0,
        errorCode: KafkaErrorCode = .noError,
        producerID: Int64,
        producerEpoch: Int16
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = try buffer.readKafkaInt32()
        self.errorCode = try buffer.readKafkaErrorCode()
        self.producerID = try buffer.readKafkaInt64()
        self.producerEpoch = try buffer.readKafkaInt16()
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        buffer.writeKafkaInt32(self.throttleTimeMs)
        buffer.writeKafkaErrorCode(self.errorCode)
        buffer.writeKafkaInt64(self.producerID)
        buffer.writeKafkaInt16(self.producerEpoch)
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
