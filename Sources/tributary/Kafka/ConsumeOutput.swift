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
        var pendingRecords = 0
        var consumer: KafkaConsumer?
    }

    private static let flushThreshold = 1 << 16
    private let state = Mutex(State())

    /// The consumer whose offsets are committed (group mode).
    var consumer: KafkaConsumer? {
        get { self.state.withLock { $0.consumer } }
        set { self.state.withLock { $0.consumer = newValue } }
    }

    /// Records printed but not yet committed.
    var pendingRecords: Int { self.state.withLock { $0.pendingRecords } }

    /// Appends a line (written out in 64 KiB chunks); `record`'s next offset becomes pending.
    func write(_ line: String, after record: KafkaConsumerRecord?) {
        self.state.withLock { state in
            state.bytes.append(contentsOf: line.utf8)
            state.bytes.append(UInt8(ascii: "\n"))
            if let record {
                state.offsets[record.topicPartition] = record.offset + 1
                state.pendingRecords += 1
            }
            if state.bytes.count >= Self.flushThreshold { Self.writeOut(&state.bytes) }
        }
    }

    /// Writes everything out and returns the pending offsets (now the caller's to commit).
    @discardableResult
    func flush() -> [TopicPartition: Int64] {
        self.state.withLock { state in
            Self.writeOut(&state.bytes)
            defer {
                state.offsets.removeAll()
                state.pendingRecords = 0
            }
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
