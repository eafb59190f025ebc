import MQTTCodec

/// An error thrown by ``MQTTClient`` and ``MQTTRawConnection``.
///
/// `code` says what went wrong; `reasonCode` carries the MQTT reason code when the server sent
/// one (a refused CONNACK, a server DISCONNECT) or when the client closes the connection with one
/// (a protocol violation by the server). Two errors are equal when their code and reason code are
/// equal: the detail text and the source location are context for logs, not identity.
public struct MQTTClientError: Error, CustomStringConvertible, Equatable {
    /// What kind of failure this is. Extensible: new codes may be added in later versions, so do
    /// not switch over them exhaustively.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case connectionRefused
            case connectFailed
            case connectTimeout
            case alreadyConnected
            case notConnected
            case connectionClosed
            case serverDisconnected
            case keepAliveTimeout
            case protocolError
            case invalidPacket
            case packetTooLarge
            case qosNotSupported
            case retainNotSupported
            case packetIdentifiersExhausted
            case timeout
            case messagesAlreadyIterated
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// The server answered CONNECT with a failure reason code (see `reasonCode`).
        public static let connectionRefused = Self(.connectionRefused)
        /// The TCP or TLS connection could not be established (see `underlying`).
        public static let connectFailed = Self(.connectFailed)
        /// No CONNACK arrived within `Configuration.connectTimeout`.
        public static let connectTimeout = Self(.connectTimeout)
        /// `connect()` was called while a connection is being made, is up or is closing.
        public static let alreadyConnected = Self(.alreadyConnected)
        /// The call needs a connection and there is none.
        public static let notConnected = Self(.notConnected)
        /// The connection closed before the operation completed (the network failed, the server
        /// closed it, or the client disconnected).
        public static let connectionClosed = Self(.connectionClosed)
        /// The server sent DISCONNECT (MQTT 5.0); `reasonCode` says why.
        public static let serverDisconnected = Self(.serverDisconnected)
        /// No PINGRESP arrived in time: the client closed the connection (MQTT 5.0 §3.1.2.10).
        public static let keepAliveTimeout = Self(.keepAliveTimeout)
        /// The server broke the protocol (or sent bytes the decoder refused); the client closed the
        /// connection, in 5.0 with a DISCONNECT carrying `reasonCode`.
        public static let protocolError = Self(.protocolError)
        /// The packet cannot be encoded (a wildcard in a topic name, a property not allowed in
        /// the packet, a string too long); nothing was sent.
        public static let invalidPacket = Self(.invalidPacket)
        /// The packet exceeds the server's Maximum Packet Size (MQTT-3.2.2-15); nothing was sent.
        public static let packetTooLarge = Self(.packetTooLarge)
        /// The QoS exceeds the server's Maximum QoS (MQTT-3.2.2-11); nothing was sent.
        public static let qosNotSupported = Self(.qosNotSupported)
        /// The server does not support retained messages (MQTT-3.2.2-14); nothing was sent.
        public static let retainNotSupported = Self(.retainNotSupported)
        /// All 65,535 packet identifiers are in use.
        public static let packetIdentifiersExhausted = Self(.packetIdentifiersExhausted)
        /// A wait with a deadline ran out (``MQTTRawConnection``).
        public static let timeout = Self(.timeout)
        /// The messages of one connection can be iterated only once.
        public static let messagesAlreadyIterated = Self(.messagesAlreadyIterated)

        /// The code's name, as written in Swift (`connectionRefused`).
        public var description: String {
            switch self.backing {
            case .connectionRefused: "connectionRefused"
            case .connectFailed: "connectFailed"
            case .connectTimeout: "connectTimeout"
            case .alreadyConnected: "alreadyConnected"
            case .notConnected: "notConnected"
            case .connectionClosed: "connectionClosed"
            case .serverDisconnected: "serverDisconnected"
            case .keepAliveTimeout: "keepAliveTimeout"
            case .protocolError: "protocolError"
            case .invalidPacket: "invalidPacket"
            case .packetTooLarge: "packetTooLarge"
            case .qosNotSupported: "qosNotSupported"
            case .retainNotSupported: "retainNotSupported"
            case .packetIdentifiersExhausted: "packetIdentifiersExhausted"
            case .timeout: "timeout"
            case .messagesAlreadyIterated: "messagesAlreadyIterated"
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The MQTT reason code involved, if any.
    public var reasonCode: MQTTReasonCode?
    /// A human-readable explanation for logs (includes a server's Reason String when it sent one).
    public var detail: String
    /// The error that caused this one (a socket or TLS error, a codec error), if any.
    public var underlying: (any Error)?
    /// The source file that created the error.
    public var file: String
    /// The source line that created the error.
    public var line: Int

    /// Creates an error; `file` and `line` default to the caller's location.
    public init(
        _ code: Code,
        reasonCode: MQTTReasonCode? = nil,
        detail: String = "",
        underlying: (any Error)? = nil,
        file: String = #fileID,
        line: Int = #line
    ) {
        self.code = code
        self.reasonCode = reasonCode
        self.detail = detail
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    /// Code, reason code, detail, underlying error and source location, for logs.
    public var description: String {
        var text = "MQTTClientError.\(self.code)"
        if let reasonCode { text += " [\(reasonCode)]" }
        if !self.detail.isEmpty { text += ": \(self.detail)" }
        if let underlying { text += " (\(underlying))" }
        return text + " at \(self.file):\(self.line)"
    }

    /// Equal when code and reason code are equal (detail and location are ignored).
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.reasonCode == rhs.reasonCode
    }
}
