import Foundation

/// A Kafka topic or key template of a mapping: literal text with `${...}` variables.
///
/// - `${topic}`: the whole MQTT topic; `${topic[N]}`: its level N, counted from 0
///   (`site/42/generator/7/telemetry`: `${topic[1]}` is `42`);
/// - `${clientid}`, `${username}` (empty when the client gave none);
/// - `${payload.NAME}`: the top-level field NAME of a JSON object payload (strings as they are,
///   numbers and booleans as written); empty when the payload is not such an object.
public struct BridgeTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Part: Sendable, Hashable {
        case literal(String)
        case topic
        case topicLevel(Int)
        case clientID
        case username
        case payloadField(String)
    }

    let parts: [Part]
    public let description: String

    /// What a template is filled with.
    public struct Values: Sendable {
        public var topic: String
        public var clientID: String
        public var username: String?
        public var payload: [UInt8]

        public init(topic: String, clientID: String, username: String?, payload: [UInt8]) {
            self.topic = topic
            self.clientID = clientID
            self.username = username
            self.payload = payload
        }
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public init(parsing text: String) throws(ParseError) {
        self.parts = try Self.scan(text, literal: Part.literal) { name throws(ParseError) in
            try Self.variable(name, in: text)
        }
        self.description = text
    }

    /// Splits `text` into literal runs and `${NAME}` variables; `variable` turns each NAME into a
    /// part or throws. Shared by the templates of both bridge directions.
    static func scan<P>(
        _ text: String,
        literal makeLiteral: (String) -> P,
        variable: (String) throws(ParseError) -> P
    ) throws(ParseError) -> [P] {
        var parts: [P] = []
        var literal = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            literal += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ParseError(description: "unterminated ${ in \"\(text)\"")
            }
            let name = String(rest[start.upperBound..<end])
            if !literal.isEmpty {
                parts.append(makeLiteral(literal))
                literal = ""
            }
            parts.append(try variable(name))
            rest = rest[rest.index(after: end)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(makeLiteral(literal)) }
        return parts
    }

    private static func variable(_ name: String, in text: String) throws(ParseError) -> Part {
        switch name {
        case "topic": return .topic
        case "clientid": return .clientID
        case "username": return .username
        default: break
        }
        if name.hasPrefix("topic["), name.hasSuffix("]"), let level = Int(name.dropFirst(6).dropLast()), level >= 0 {
            return .topicLevel(level)
        }
        if name.hasPrefix("payload."), name.count > 8 {
            return .payloadField(String(name.dropFirst(8)))
        }
        throw ParseError(
            description:
                "unknown variable ${\(name)} in \"\(text)\" (known: ${topic}, ${topic[N]}, ${clientid}, ${username}, ${payload.NAME})"
        )
    }

    /// Whether the template reads the payload (so the caller copies it only then).
    public var readsPayload: Bool {
        parts.contains { if case .payloadField = $0 { true } else { false } }
    }

    public func render(_ values: Values) -> String {
        var result = ""
        var levels: [Substring]?
        for part in parts {
            switch part {
            case .literal(let text):
                result += text
            case .topic:
                result += values.topic
            case .topicLevel(let index):
                if levels == nil {
                    levels = values.topic.split(separator: "/", omittingEmptySubsequences: false)
                }
                if let levels, index < levels.count { result += levels[index] }
            case .clientID:
                result += values.clientID
            case .username:
                result += values.username ?? ""
            case .payloadField(let field):
                result += JSONField.value(of: field, in: values.payload) ?? ""
            }
        }
        return result
    }
}
