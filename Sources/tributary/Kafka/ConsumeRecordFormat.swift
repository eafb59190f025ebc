import KafkaClient
import KafkaProtocol
import NIOCore

/// How `tributary kafka consume` prints a record: the value; with a key delimiter the key,
/// delimiter and value; verbose adds partition, offset, timestamp and headers (tab-separated).
/// Plain values copied out of the command's options, because reading an ArgumentParser
/// property wrapper per record costs a generic-metadata lookup.
struct ConsumeRecordFormat: Sendable {
    var keyDelimiter: [UInt8]?
    var verbose: Bool

    /// Appends the record's line (with its newline) to `bytes`, copying key and value bytes as they are.
    func append(_ record: KafkaConsumerRecord, to bytes: inout [UInt8]) {
        if self.verbose {
            let headers = record.headers.map { "\($0.key)=\($0.value.map { String(buffer: $0) } ?? "")" }
            let prefix =
                "\(record.topicPartition.partition)\t\(record.offset)\t\(record.timestamp)\t\(headers.joined(separator: ","))\t"
            bytes.append(contentsOf: prefix.utf8)
        }
        if let delimiter = self.keyDelimiter {
            if let key = record.key { bytes.append(contentsOf: key.readableBytesView) }
            bytes.append(contentsOf: delimiter)
        }
        if let value = record.value { bytes.append(contentsOf: value.readableBytesView) }
        bytes.append(UInt8(ascii: "\n"))
    }
}
