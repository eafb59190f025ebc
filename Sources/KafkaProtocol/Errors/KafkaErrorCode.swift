/// An error code as a broker reports it inside a response (the protocol's `error_code` INT16).
///
/// A non-zero code is data, not a thrown error: the client decides what to do (refresh
/// metadata, retry, fail the record). Codes the table does not know keep their raw value.
public struct KafkaErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The wire value.
    public var rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// True for ``none`` (0): the operation succeeded.
    public var isSuccess: Bool { self.rawValue == 0 }

    /// The protocol guide's name (e.g. `NOT_LEADER_OR_FOLLOWER`), or `UNKNOWN_CODE_<n>`.
    public var name: String { Self.entry(for: self.rawValue)?.name ?? "UNKNOWN_CODE_\(self.rawValue)" }

    /// Whether the protocol guide marks the error retriable: the same request may succeed
    /// later (often after a metadata refresh). Unknown codes are not retriable.
    public var isRetriable: Bool { Self.entry(for: self.rawValue)?.isRetriable ?? false }

    /// The protocol guide's one-line explanation.
    public var explanation: String {
        Self.entry(for: self.rawValue)?.description ?? "An error code this client does not know."
    }

    public var description: String { "\(self.name) (\(self.rawValue))" }
}
