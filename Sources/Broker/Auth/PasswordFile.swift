/// The password file (`auth.password-file`), one user per line:
///
///     # comments and blank lines are kept
///     alice:$pbkdf2-sha256$210000$SALT_BASE64$HASH_BASE64
///
/// A user name is any UTF-8 text without `:` and line breaks (MQTT user names may contain
/// spaces). `tributary passwd` adds and updates lines and keeps every other line as it was.
/// This type is the pure part: parsing, updating and printing; reading and writing the file is
/// the caller's.
public struct PasswordFile: Sendable, Hashable {
    /// One line of the file, kept so that an update does not rewrite what it did not change.
    public enum Line: Sendable, Hashable {
        case user(name: String, hash: PasswordHash)
        /// A comment or a blank line.
        case other(String)
    }

    /// A malformed line.
    public struct Issue: Sendable, Hashable, CustomStringConvertible {
        /// 1-based.
        public var line: Int
        public var message: String

        public var description: String { "line \(line): \(message)" }
    }

    /// The file could not be parsed; every malformed line is listed.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var issues: [Issue]

        public var description: String { issues.map(\.description).joined(separator: "; ") }
    }

    public private(set) var lines: [Line]

    public init() {
        lines = []
    }

    public init(parsing text: String) throws(ParseError) {
        var lines: [Line] = []
        var issues: [Issue] = []
        var seen: Set<String> = []
        // "\r\n" is one Character in Swift, so both line ends are separators.
        var rawLines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if rawLines.last == "" { rawLines.removeLast() }
        for (index, line) in rawLines.enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") {
                lines.append(.other(String(line)))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                issues.append(Issue(line: index + 1, message: "expected USER:HASH"))
                continue
            }
            let name = String(line[..<colon])
            guard Self.isValidUsername(name) else {
                issues.append(Issue(line: index + 1, message: "invalid user name"))
                continue
            }
            guard let hash = PasswordHash(encoded: String(line[line.index(after: colon)...])) else {
                issues.append(
                    Issue(line: index + 1, message: "user \"\(name)\": expected $pbkdf2-sha256$ITERATIONS$SALT$HASH")
                )
                continue
            }
            guard seen.insert(name).inserted else {
                issues.append(Issue(line: index + 1, message: "user \"\(name)\" appears twice"))
                continue
            }
            lines.append(.user(name: name, hash: hash))
        }
        guard issues.isEmpty else { throw ParseError(issues: issues) }
        self.lines = lines
    }

    /// A user name this file format can hold.
    public static func isValidUsername(_ name: String) -> Bool {
        !name.isEmpty && !name.contains { $0 == ":" || $0 == "\n" || $0 == "\r" } && name.utf8.count <= 65_535
    }

    /// Users and their hashes.
    public var users: [String: PasswordHash] {
        var users: [String: PasswordHash] = [:]
        for case .user(let name, let hash) in lines {
            users[name] = hash
        }
        return users
    }

    /// Sets the hash of `name`, in place when the user exists, appended otherwise.
    /// - Returns: true when the user was new.
    @discardableResult
    public mutating func setHash(_ hash: PasswordHash, for name: String) -> Bool {
        precondition(Self.isValidUsername(name), "invalid user name")
        for (index, line) in lines.enumerated() {
            if case .user(name, _) = line {
                lines[index] = .user(name: name, hash: hash)
                return false
            }
        }
        lines.append(.user(name: name, hash: hash))
        return true
    }

    /// The file's text, one line each, ending with a line break.
    public var text: String {
        var text = ""
        for line in lines {
            switch line {
            case .user(let name, let hash):
                text += "\(name):\(hash.encoded)\n"
            case .other(let raw):
                text += raw + "\n"
            }
        }
        return text
    }
}
