/// An error found while encoding or decoding Kafka wire data: malformed or truncated bytes, a
/// checksum that does not match, a version we do not implement, a failed (de)compression.
///
/// Errors that the *broker* reports inside a well-formed response are not thrown: they are
/// data (``KafkaErrorCode`` fields of the response structs).
///
/// The shape follows swift-service-lifecycle's `ServiceRunnerError`: an extensible ``Code``,
/// a human-readable detail, and where it was raised.
public struct KafkaProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; do not switch exhaustively.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case truncated
            case invalidLength
            case invalidValue
            case varintTooLong
            case trailingBytes
            case frameTooLarge
            case unsupportedVersion
            case unknownAPIKey
            case noCommonVersion
            case apiNotSupportedByBroker
            case checksumMismatch
            case unsupportedMagic
            case unsupportedCompression
            case compressionFailed
            case decompressionFailed
            case decompressedSizeLimitExceeded
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The input ended before a field (or a length it announced) was complete.
        public static let truncated = Code(.truncated)
        /// A length or count is negative (where not allowed) or larger than the bytes left.
        public static let invalidLength = Code(.invalidLength)
        /// A field holds a value the protocol does not allow (e.g. null where not nullable).
        public static let invalidValue = Code(.invalidValue)
        /// A varint is longer than 5 (varint) or 10 (varlong) bytes.
        public static let varintTooLong = Code(.varintTooLong)
        /// A message decoded completely but bytes were left over in its frame.
        public static let trailingBytes = Code(.trailingBytes)
        /// A frame's size prefix exceeds the configured maximum (or is negative).
        public static let frameTooLarge = Code(.frameTooLarge)
        /// We do not implement this version of this API.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The API key is not one this module implements.
        public static let unknownAPIKey = Code(.unknownAPIKey)
        /// Our version range and the broker's do not overlap.
        public static let noCommonVersion = Code(.noCommonVersion)
        /// The broker's ApiVersions answer does not list the API at all.
        public static let apiNotSupportedByBroker = Code(.apiNotSupportedByBroker)
        /// A CRC32C (RecordBatch v2) or CRC32 (message format v0/v1) does not match.
        public static let checksumMismatch = Code(.checksumMismatch)
        /// A record batch has a magic byte other than 0, 1 or 2.
        public static let unsupportedMagic = Code(.unsupportedMagic)
        /// A compression codec id outside 0...4 (or zstd in a legacy message).
        public static let unsupportedCompression = Code(.unsupportedCompression)
        /// The compression library reported an error while compressing.
        public static let compressionFailed = Code(.compressionFailed)
        /// The compression library reported an error while decompressing (corrupt input).
        public static let decompressionFailed = Code(.decompressionFailed)
        /// Decompressed output would exceed the configured maximum.
        public static let decompressedSizeLimitExceeded = Code(.decompressedSizeLimitExceeded)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// What exactly went wrong, for logs.
    public var detail: String
    /// Where the failure was found (e.g. "FetchResponse v12"), filled in as the error travels out.
    public var context: [String]
    /// The source file that raised the error.
    public var file: String
    /// The source line that raised the error.
    public var line: Int

    /// Creates an error; `file` and `line` default to the caller's position.
    public init(
        code: Code,
        detail: String,
        context: [String] = [],
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.detail = detail
        self.context = context
        self.file = file
        self.line = line
    }

    public var description: String {
        let location = self.context.isEmpty ? "" : " in \(self.context.joined(separator: " > "))"
        return "KafkaProtocolError.\(self.code): \(self.detail)\(location) (\(self.file):\(self.line))"
    }

    /// A copy with `label` prepended to the context (outermost first).
    func adding(context label: String) -> KafkaProtocolError {
        var copy = self
        copy.context.insert(label, at: 0)
        return copy
    }
}

extension KafkaProtocolError {
    static func truncated(
        _ what: String,
        needed: Int,
        available: Int,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaProtocolError {
        KafkaProtocolError(
            code: .truncated,
            detail: "\(what): needs \(needed) bytes, \(available) left",
            file: file,
            line: line
        )
    }

    static func invalidLength(
        _ what: String,
        length: Int64,
        available: Int,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaProtocolError {
        KafkaProtocolError(
            code: .invalidLength,
            detail: "\(what): length \(length) with \(available) bytes left",
            file: file,
            line: line
        )
    }
}

/// Runs `body`, labelling any ``KafkaProtocolError`` it throws with `label`.
func withKafkaContext<T>(_ label: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as KafkaProtocolError {
        throw error.adding(context: label())
    }
}
