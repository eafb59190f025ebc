import NIOCore

/// The payload of a benchmark message: when it was sent, by whom, and its number, padded to the
/// requested size. Latency, loss and order are all read from it, so the same tool measures any
/// broker.
struct BenchPayload: Sendable, Equatable {
    static let headerSize = 16

    /// Monotonic nanoseconds when the publisher handed it to the client.
    var sentAt: UInt64
    var publisher: UInt32
    var sequence: UInt32

    func encode(size: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: max(size, Self.headerSize))
        buffer.writeInteger(sentAt)
        buffer.writeInteger(publisher)
        buffer.writeInteger(sequence)
        if size > Self.headerSize {
            buffer.writeRepeatingByte(UInt8(ascii: "x"), count: size - Self.headerSize)
        }
        return buffer
    }

    init(sentAt: UInt64, publisher: UInt32, sequence: UInt32) {
        self.sentAt = sentAt
        self.publisher = publisher
        self.sequence = sequence
    }

    init?(_ buffer: ByteBuffer) {
        guard let sentAt = buffer.getInteger(at: buffer.readerIndex, as: UInt64.self),
            let publisher = buffer.getInteger(at: buffer.readerIndex + 8, as: UInt32.self),
            let sequence = buffer.getInteger(at: buffer.readerIndex + 12, as: UInt32.self)
        else { return nil }
        self.init(sentAt: sentAt, publisher: publisher, sequence: sequence)
    }
}
