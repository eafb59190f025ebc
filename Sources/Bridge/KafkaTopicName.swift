/// Kafka's rule for topic names: 1 to 249 characters of ASCII letters, digits, `.`, `_` and `-`,
/// and neither `.` nor `..` (Kafka's `Topic.validate`).
public enum KafkaTopicName {
    static let maximumLength = 249

    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "the Kafka topic is empty" }
        if name == "." || name == ".." { return "\"\(name)\" is not a Kafka topic name" }
        if name.utf8.count > maximumLength { return "the Kafka topic is longer than \(maximumLength) characters" }
        let legal = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return legal ? nil : "\"\(name)\" has characters Kafka topics cannot have (letters, digits, . _ - only)"
    }
}
