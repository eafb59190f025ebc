/// One problem found in a configuration file: where it is and what is wrong.
public struct ConfigurationIssue: Sendable, Hashable, CustomStringConvertible {
    /// The file name as given (printed first, like a compiler diagnostic).
    public var file: String
    /// 1-based line of the offending key or value; nil when the problem has no position (an
    /// unreadable file).
    public var line: Int?
    /// Where in the document, e.g. `listeners[1].bind`; empty for the document itself.
    public var keyPath: String
    /// What is wrong, e.g. `expected HOST:PORT, got "abc"`.
    public var message: String

    public init(file: String, line: Int?, keyPath: String, message: String) {
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
    }

    /// `tributary.yaml:12: listeners[1].bind: expected HOST:PORT, got "abc"`.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if !keyPath.isEmpty { text += keyPath + ": " }
        return text + message
    }
}

/// A configuration file that cannot be used; carries every problem found, not only the first.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Why the configuration was refused.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: Hashable, Sendable {
            case unreadable
            case invalidYAML
            case invalidConfiguration
        }

        private let value: Value

        /// The file could not be read.
        public static let unreadable = Code(value: .unreadable)
        /// The file is not well-formed YAML.
        public static let invalidYAML = Code(value: .invalidYAML)
        /// Well-formed YAML with unknown keys, wrong types or impossible values.
        public static let invalidConfiguration = Code(value: .invalidConfiguration)

        public var description: String { "\(value)" }
    }

    public var code: Code
    /// Every problem, in document order.
    public var issues: [ConfigurationIssue]

    public init(code: Code, issues: [ConfigurationIssue]) {
        self.code = code
        self.issues = issues
    }

    /// Configuration errors are mistakes in the file: retrying does not help.
    public var isRetriable: Bool { false }

    /// One issue per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
