import KafkaProtocol
import NIOCore

/// Records for one partition collected into one RecordBatch, and what the producer needs to
/// send, resend and report it.
struct ProducerBatch: Sendable {
    let topicPartition: TopicPartition
    var builder: RecordBatchBuilder
    /// The producer's ids of the records, in order (offset delta = index).
    var messageIDs: [UInt64] = []
    /// The buffer memory the records hold (released when the batch completes).
    var bufferedBytes = 0
    let createdAt: ContinuousClock.Instant
    /// Set when the batch is first drained for sending (idempotence): kept for every resend,
    /// so the broker can recognise a duplicate (KIP-98).
    var baseSequence: Int32?
    var producerID: Int64 = -1
    var producerEpoch: Int16 = -1
    /// The encoded batch, kept so a resend carries exactly the same bytes.
    var encoded: ByteBuffer?
    /// How many times the batch was sent and came back retriable.
    var attempts = 0

    init(topicPartition: TopicPartition, compression: CompressionCodec, createdAt: ContinuousClock.Instant) {
        self.topicPartition = topicPartition
        self.builder = RecordBatchBuilder(compression: compression)
        self.createdAt = createdAt
    }

    var recordCount: Int32 { Int32(self.messageIDs.count) }

    /// Encodes the batch with its producer id, epoch and sequence (once; later calls reuse it).
    mutating func encode() throws -> ByteBuffer {
        if let encoded = self.encoded { return encoded }
        let encoded = try self.builder.build(
            producerID: self.producerID,
            producerEpoch: self.producerEpoch,
            baseSequence: self.baseSequence ?? -1
        )
        self.encoded = encoded
        return encoded
    }
}
