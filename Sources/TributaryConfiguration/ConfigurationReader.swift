import Yams

/// Reads typed values out of a composed YAML document and collects every problem with the key
/// path and line, so one run of `check-config` reports all of them.
///
/// Each getter returns nil both when the key is absent and when its value is wrong; in the second
/// case an issue was recorded, and the caller keeps the default and carries on.
final class ConfigurationReader {
    let file: String
    private(set) var issues: [ConfigurationIssue] = []

    init(file: String) {
        self.file = file
    }

    /// The keys of one mapping, checked against the keys it may have.
    struct Fields {
        let node: Node
        let path: String
        /// Values by key; keys whose value is null are treated as absent.
        let values: [String: Node]

        func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        subscript(key: String) -> Node? { values[key] }

        func has(_ key: String) -> Bool { values[key] != nil }
    }

    // MARK: Reporting

    func report(_ node: Node?, _ path: String, _ message: String) {
        issues.append(ConfigurationIssue(file: file, line: node?.mark?.line, keyPath: path, message: message))
    }

    func reportMissing(_ fields: Fields, _ key: String, _ detail: String = "") {
        let message = "missing required key `\(key)`" + (detail.isEmpty ? "" : " (\(detail))")
        report(fields.node, fields.path, message)
    }

    /// How a value is described in an error: its text for scalars, its kind otherwise.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            return "\"\(scalar.string)\""
        case .mapping:
            return "a mapping"
        case .sequence:
            return "a list"
        case .alias:
            return "an alias"
        }
    }

    // MARK: Structure

    /// The fields of a mapping; reports a value that is not a mapping, unknown keys (each at its
    /// own line) and duplicate keys.
    func fields(_ node: Node, _ path: String, allowed: [String]) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, path, "expected a mapping, got \(Self.describe(node))")
            return nil
        }
        var values: [String: Node] = [:]
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                report(keyNode, path, "keys must be plain names, got \(Self.describe(keyNode))")
                continue
            }
            let key = scalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                report(keyNode, keyPath, "unknown key (expected one of: \(allowed.joined(separator: ", ")))")
                continue
            }
            guard seen.insert(key).inserted else {
                report(keyNode, keyPath, "duplicate key")
                continue
            }
            if Self.isNull(value) { continue }
            values[key] = value
        }
        return Fields(node: node, path: path, values: values)
    }

    /// The elements of a list; reports a value that is not a list.
    func list(_ node: Node, _ path: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(node, path, "expected a list, got \(Self.describe(node))")
            return nil
        }
        return Array(sequence)
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node else { return false }
        return node.tag == Tag(.null) && (scalar.style == .plain || scalar.string.isEmpty)
    }

    // MARK: Scalars

    /// A string; numbers and booleans written without quotes are taken as their text.
    func string(_ node: Node, _ path: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, path, "expected a string, got \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    func string(_ fields: Fields, _ key: String) -> String? {
        guard let node = fields[key] else { return nil }
        return string(node, fields.path(key))
    }

    /// A non-empty string.
    func nonEmptyString(_ fields: Fields, _ key: String) -> String? {
        guard let node = fields[key], let value = string(node, fields.path(key)) else { return nil }
        guard !value.isEmpty else {
            report(node, fields.path(key), "must not be empty")
            return nil
        }
        return value
    }

    func int(_ node: Node, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard node.tag == Tag(.int), let value = node.int else {
            report(node, path, "expected an integer, got \(Self.describe(node))")
            return nil
        }
        guard range.contains(value) else {
            report(node, path, "\(value) is out of range (\(Self.describe(range)))")
            return nil
        }
        return value
    }

    func int(_ fields: Fields, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let node = fields[key] else { return nil }
        return int(node, fields.path(key), in: range)
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return "must be at least \(range.lowerBound)" }
        return "\(range.lowerBound)–\(range.upperBound)"
    }

    func bool(_ fields: Fields, _ key: String) -> Bool? {
        guard let node = fields[key] else { return nil }
        guard node.tag == Tag(.bool), let value = node.bool else {
            report(node, fields.path(key), "expected true or false, got \(Self.describe(node))")
            return nil
        }
        return value
    }

    /// One of the raw values of `Value`.
    func choice<Value: RawRepresentable & CaseIterable>(
        _ node: Node,
        _ path: String,
        as type: Value.Type = Value.self
    ) -> Value? where Value.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = Value(rawValue: text) else {
            let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
            report(node, path, "expected one of \(names), got \"\(text)\"")
            return nil
        }
        return value
    }

    func choice<Value: RawRepresentable & CaseIterable>(
        _ fields: Fields,
        _ key: String,
        as type: Value.Type = Value.self
    ) -> Value? where Value.RawValue == String {
        guard let node = fields[key] else { return nil }
        return choice(node, fields.path(key), as: type)
    }

    /// A list of strings; a single string is accepted as a list of one.
    func strings(_ fields: Fields, _ key: String) -> [String]? {
        guard let node = fields[key] else { return nil }
        let path = fields.path(key)
        if case .scalar = node {
            return string(node, path).map { [$0] }
        }
        guard let elements = list(node, path) else { return nil }
        var result: [String] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            if let value = string(element, "\(path)[\(index)]") {
                result.append(value)
            } else {
                valid = false
            }
        }
        return valid ? result : nil
    }

    /// `HOST:PORT`.
    func hostAndPort(_ node: Node, _ path: String) -> HostAndPort? {
        guard let text = string(node, path) else { return nil }
        guard let value = HostAndPort(parsing: text) else {
            report(node, path, "expected HOST:PORT with a port in 1–65535, got \"\(text)\"")
            return nil
        }
        return value
    }

    func hostAndPort(_ fields: Fields, _ key: String) -> HostAndPort? {
        guard let node = fields[key] else { return nil }
        return hostAndPort(node, fields.path(key))
    }
}
