import KafkaProtocol
import NIOSSL

/// An error from the Kafka client: what kind of failure (``code``), the broker's error code when
/// the broker reported it, and where it happened.
///
/// ``isRetriable`` says whether the same operation may succeed later (the client already retried
/// it up to its configured limits when it hands the error out).
public struct KafkaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added, so do not switch exhaustively.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate enum Base: String, Hashable, Sendable {
            case connectionFailed
            case connectionClosed
            case requestTimedOut
            case broker
            case protocolViolation
            case noCommonVersion
            case unknownTopicOrPartition
            case invalidConfiguration
            case messageTooLarge
            case shutDown
            case timedOut
            case authenticationFailed
        }

        fileprivate let base: Base
        fileprivate init(_ base: Base) { self.base = base }

        /// No connection could be made to a broker (or to any bootstrap address).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection closed while a request was waiting for its answer.
        public static let connectionClosed = Code(.connectionClosed)
        /// A request got no answer within the request timeout; the connection was closed.
        public static let requestTimedOut = Code(.requestTimedOut)
        /// The broker answered with an error code (see ``KafkaError/brokerErrorCode``).
        public static let broker = Code(.broker)
        /// The broker sent bytes this client cannot decode, or answers that break the protocol.
        public static let protocolViolation = Code(.protocolViolation)
        /// The broker and this client share no version of an API the operation needs.
        public static let noCommonVersion = Code(.noCommonVersion)
        /// The topic or partition does not exist (after the client waited for metadata).
        public static let unknownTopicOrPartition = Code(.unknownTopicOrPartition)
        /// A setting or argument is invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A record is larger than the producer's maximum request size.
        public static let messageTooLarge = Code(.messageTooLarge)
        /// The client or producer was shut down before the operation finished.
        public static let shutDown = Code(.shutDown)
        /// The operation (with its retries) did not finish within its deadline.
        public static let timedOut = Code(.timedOut)
        /// TLS or SASL authentication failed.
        public static let authenticationFailed = Code(.authenticationFailed)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The broker's error code, when ``code`` is ``Code/broker``.
    public var brokerErrorCode: KafkaErrorCode?
    /// What happened, for logs and operators.
    public var message: String
    /// Whether trying again later may succeed.
    public var isRetriable: Bool
    /// The source file that raised the error.
    public var file: String
    /// The source line that raised the error.
    public var line: Int

    /// Creates an error; `file` and `line` default to the caller's position.
    public init(
        code: Code,
        message: String,
        brokerErrorCode: KafkaErrorCode? = nil,
        isRetriable: Bool = false,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.message = message
        self.brokerErrorCode = brokerErrorCode
        self.isRetriable = isRetriable
        self.file = file
        self.line = line
    }

    /// An error for a non-zero error code in a broker's answer; retriable as the protocol guide says.
    public static func broker(
        _ errorCode: KafkaErrorCode,
        _ message: String,
        file: String = #fileID,
        line: Int = #line
    ) -> KafkaError {
        KafkaError(
            code: .broker,
            message: "\(message): \(errorCode.name) (\(errorCode.explanation))",
            brokerErrorCode: errorCode,
            isRetriable: errorCode.isRetriable,
            file: file,
            line: line
        )
    }

    public var description: String {
        "KafkaError.\(self.code): \(self.message)\(self.isRetriable ? " [retriable]" : "") (\(self.file):\(self.line))"
    }
}

extension KafkaError {
    /// Wraps any error thrown below the client (protocol decoding, NIO channel errors) as a
    /// `KafkaError`; a `KafkaError` is returned as it is.
    static func wrapping(_ error: any Error, _ what: String, file: String = #fileID, line: Int = #line) -> KafkaError {
        if let error = error as? KafkaError { return error }
        if let error = error as? KafkaProtocolError {
            if error.code == .noCommonVersion || error.code == .apiNotSupportedByBroker {
                return KafkaError(code: .noCommonVersion, message: "\(what): \(error)", file: file, line: line)
            }
            return KafkaError(code: .protocolViolation, message: "\(what): \(error)", file: file, line: line)
        }
        if error is NIOSSLError || error is BoringSSLError {
            return KafkaError(code: .authenticationFailed, message: "\(what): TLS: \(error)", file: file, line: line)
        }
        return KafkaError(
            code: .connectionFailed,
            message: "\(what): \(error)",
            isRetriable: true,
            file: file,
            line: line
        )
    }
}
