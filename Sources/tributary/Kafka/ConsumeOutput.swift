import Foundation
import KafkaClient
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Buffered standard output for `tributary kafka consume`, with the offsets of the records
/// printed since the last flush (what the group mode commits once they are written).
final class ConsumeOutput: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var offsets: [TopicPartition: Int64] = [:]
        var consumer: KafkaConsumer?
    }

    private static let flushThreshold = 1 << 16
    private let state = Mutex(State())

    /// The consumer whose offsets are committed (group mode).
    var consumer: KafkaConsumer? {
        get { self.state.withLock { $0.consumer } }
        set { self.state.withLock { $0.consumer = newValue } }
    }

    /// Appends a record's line (written out in 64 KiB chunks); with `commit`, its next offset
    /// becomes pending.
    func write(_ record: KafkaConsumerRecord, format: ConsumeRecordFormat, commit: Bool) {
        self.state.withLock { state in
            format.append(record, to: &state.bytes)
            if commit {
                state.offsets[record.topicPartition] = record.offset + 1
            }
            if state.bytes.count >= Self.flushThreshold { Self.writeOut(&state.bytes) }
        }
    }

    /// Writes everything out and returns the pending offsets (now the caller's to commit).
    @discardableResult
    func flush() -> [TopicPartition: Int64] {
        self.state.withLock { state in
            Self.writeOut(&state.bytes)
            defer { state.offsets.removeAll() }
            return state.offsets
        }
    }

    private static func writeOut(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        // write(2) straight to fd 1: no stdio buffer to flush before a commit.
        bytes.withUnsafeBufferPointer { buffer in
            var written = 0
            while written < buffer.count {
                let result = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { return }
                written += result
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
