import Foundation
import NIOCore

/// Reads a file descriptor (standard input) in large chunks and hands out each line as a slice
/// of its chunk, so a million lines cost a million slices, not a million strings.
struct KafkaLineReader {
    private let descriptor: Int32
    private let chunkSize: Int
    private var buffer = ByteBuffer()
    private var atEnd = false

    init(descriptor: Int32 = 0, chunkSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.chunkSize = chunkSize
    }

    /// The next line without its line break (`\n` or `\r\n`), or nil at the end of the input.
    mutating func next() throws -> ByteBuffer? {
        while true {
            let newline = self.buffer.withUnsafeReadableBytes { bytes -> Int? in
                guard let base = bytes.baseAddress, bytes.count > 0,
                    let found = memchr(base, Int32(UInt8(ascii: "\n")), bytes.count)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(found))
            }
            if let newline {
                var line = self.buffer.readSlice(length: newline)!
                self.buffer.moveReaderIndex(forwardBy: 1)
                if line.readableBytesView.last == UInt8(ascii: "\r") {
                    line.moveWriterIndex(to: line.writerIndex - 1)
                }
                return line
            }
            if self.atEnd {
                guard self.buffer.readableBytes > 0 else { return nil }
                return self.buffer.readSlice(length: self.buffer.readableBytes)
            }
            try self.refill()
        }
    }

    /// A fresh chunk holding the unfinished line plus what the next read returns (lines handed
    /// out keep the old chunk alive, so it is never written into again).
    private mutating func refill() throws {
        var next = ByteBufferAllocator().buffer(capacity: self.chunkSize + self.buffer.readableBytes)
        next.writeBuffer(&self.buffer)
        var failure: Int32 = 0
        let descriptor = self.descriptor
        let count = next.writeWithUnsafeMutableBytes(minimumWritableBytes: self.chunkSize) { bytes in
            while true {
                let result = read(descriptor, bytes.baseAddress, bytes.count)
                if result >= 0 { return result }
                if errno == EINTR { continue }
                failure = errno
                return 0
            }
        }
        guard failure == 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "read(): errno \(failure)"])
        }
        if count == 0 { self.atEnd = true }
        self.buffer = next
    }
}

extension ByteBuffer {
    /// Splits at the first occurrence of `delimiter`: (before, after), or nil when absent.
    func splitOnce(at delimiter: [UInt8]) -> (ByteBuffer, ByteBuffer)? {
        guard !delimiter.isEmpty else { return nil }
        let view = self.readableBytesView
        guard view.count >= delimiter.count else { return nil }
        var index = view.startIndex
        let last = view.endIndex - delimiter.count
        while index <= last {
            if view[index] == delimiter[0], view[index..<index + delimiter.count].elementsEqual(delimiter) {
                let offset = index - view.startIndex
                let before = self.getSlice(at: self.readerIndex, length: offset)!
                let afterStart = offset + delimiter.count
                let after = self.getSlice(at: self.readerIndex + afterStart, length: self.readableBytes - afterStart)!
                return (before, after)
            }
            index += 1
        }
        return nil
    }
}
