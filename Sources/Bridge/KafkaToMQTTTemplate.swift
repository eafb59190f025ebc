import KafkaClient
import KafkaProtocol
import NIOCore

/// The MQTT topic template of a Kafka → MQTT mapping: literal text with `${...}` variables over
/// the record.
///
/// - `${key}`: the record key as UTF-8 text (empty for a null key);
/// - `${topic}`: the Kafka topic; `${partition}`: the partition number;
/// - `${header.NAME}`: the value of the record's first header NAME (empty when absent or null);
/// - `${value.NAME}`: the field NAME of a JSON object value, `${value.A.B}` a nested one (strings
///   as they are, numbers as written); empty when the value is not such an object.
///
/// Scanning is `BridgeTemplate`'s, JSON fields are read as for `${payload.NAME}`.
public struct KafkaToMQTTTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case literal(String)
        case key
        case topic
        case partition
        case header(String)
        case valueField([String])
    }

    let parts: [Part]
    public let description: String

    public init(parsing text: String) throws(BridgeTemplate.ParseError) {
        self.parts = try BridgeTemplate.scan(text, literal: Part.literal) { name throws(BridgeTemplate.ParseError) in
            try Self.variable(name, in: text)
        }
        self.description = text
    }

    private static func variable(_ name: String, in text: String) throws(BridgeTemplate.ParseError) -> Part {
        switch name {
        case "key": return .key
        case "topic": return .topic
        case "partition": return .partition
        default: break
        }
        if name.hasPrefix("header."), name.count > 7 {
            return .header(String(name.dropFirst(7)))
        }
        if name.hasPrefix("value."), name.count > 6 {
            let path = name.dropFirst(6).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if !path.contains(where: \.isEmpty) { return .valueField(path) }
        }
        throw BridgeTemplate.ParseError(
            description:
                "unknown variable ${\(name)} in \"\(text)\" (known: ${key}, ${topic}, ${partition}, ${header.NAME}, ${value.NAME})"
        )
    }

    /// The literal text of the template, without its variables.
    public var staticText: String {
        parts.reduce(into: "") { text, part in
            if case .literal(let literal) = part { text += literal }
        }
    }

    /// Whether the template reads the record value (a JSON field).
    public var readsValue: Bool {
        parts.contains { if case .valueField = $0 { true } else { false } }
    }

    /// The text for `record`. Invalid UTF-8 in a key or header is replaced (U+FFFD), which the
    /// caller's topic check lets through: the topic stays valid UTF-8.
    public func render(_ record: KafkaConsumerRecord) -> String {
        var result = ""
        var value: [UInt8]?
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
            case .key:
                if let key = record.key { result += String(decoding: key.readableBytesView, as: UTF8.self) }
            case .topic:
                result += record.topicPartition.topic
            case .partition:
                result += String(record.topicPartition.partition)
            case .header(let name):
                if let header = record.headers.first(where: { $0.key == name }), let bytes = header.value {
                    result += String(decoding: bytes.readableBytesView, as: UTF8.self)
                }
            case .valueField(let path):
                if value == nil { value = record.value.map { Array($0.readableBytesView) } ?? [] }
                result += JSONField.value(atPath: path, in: value ?? []) ?? ""
            }
        }
        return result
    }
}
