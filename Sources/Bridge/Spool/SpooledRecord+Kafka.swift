import KafkaClient
import KafkaProtocol
import NIOCore
import Store

extension SpooledRecord {
    /// The spool's copy of a record the bridge built.
    init(_ record: KafkaProducerMessage, sequence: Int64, mapping: String) {
        self.init(
            sequence: sequence,
            mapping: mapping,
            topic: record.topic,
            key: record.key,
            value: record.value,
            headers: record.headers.map { Header(name: $0.key, value: $0.value) },
            timestamp: record.timestamp ?? 0
        )
    }

    /// The record to send when the spool replays it: the same bytes the direct path would have
    /// sent.
    var kafkaRecord: KafkaProducerMessage {
        KafkaProducerMessage(
            topic: topic,
            key: key,
            value: value,
            headers: headers.map { KafkaHeader(key: $0.name, value: $0.value) },
            timestamp: timestamp
        )
    }
}

extension KafkaProducerMessage {
    /// What the record counts for in a spool's byte limit: the same as `SpooledRecord.size`.
    var spoolSize: Int {
        (key?.readableBytes ?? 0) + (value?.readableBytes ?? 0)
            + headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.readableBytes ?? 0) }
    }
}
