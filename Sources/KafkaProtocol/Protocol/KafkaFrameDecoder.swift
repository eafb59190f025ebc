import NIOCore

/// Splits a broker's byte stream into response frames: INT32 size, then `size` bytes that start
/// with the correlation id.
///
/// Shaped like postgres-nio's `PostgresBackendMessageDecoder`: remember the reader index, read the
/// size, take the whole frame as a slice or rewind and wait for more. The size comes from the
/// network, so it is checked against ``maximumFrameSize`` before any byte is buffered for it.
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = KafkaResponseFrame

    /// The default limit: 100 MiB, Kafka's own default `socket.request.max.bytes` (104857600).
    /// Fetch responses are bounded by `fetch.max.bytes` (50 MiB by default) plus overhead.
    public static let defaultMaximumFrameSize = 104_857_600

    /// The largest frame (size prefix value) accepted; larger ones throw
    /// ``KafkaProtocolError/Code/frameTooLarge``.
    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int = KafkaFrameDecoder.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> KafkaResponseFrame? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        guard size >= 4, Int(size) <= self.maximumFrameSize else {
            throw KafkaProtocolError(
                code: size < 4 ? .invalidLength : .frameTooLarge,
                detail: "response frame size \(size) (allowed 4...\(self.maximumFrameSize))"
            )
        }
        guard buffer.readableBytes >= 4 + Int(size) else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 4)
        var frame = buffer.readSlice(length: Int(size))!
        let correlationID = frame.readInteger(endianness: .big, as: Int32.self)!
        return KafkaResponseFrame(correlationID: correlationID, payload: frame)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> KafkaResponseFrame? {
        try self.decode(buffer: &buffer)
    }
}
