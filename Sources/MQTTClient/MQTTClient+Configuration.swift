import MQTTCodec
import NIOCore
import NIOSSL

extension MQTTClient {
    /// When a received QoS 1/2 PUBLISH is acknowledged (PUBACK, or PUBREC for QoS 2).
    public enum AcknowledgementMode: Sendable, Hashable {
        /// As soon as the consumer of ``MQTTClient/messages`` receives the message from the
        /// iterator's `next()`. A message still buffered when the connection drops was never
        /// handed out and is not acknowledged: the server redelivers it on a resumed session.
        case automatic
        /// When the application calls ``MQTTClient/acknowledge(_:)``. Unacknowledged messages are
        /// redelivered (with DUP set) when the session resumes on a new connection.
        case manual
    }

    /// Everything an ``MQTTClient`` needs to connect. Defaults suit a 3.1.1 client on port 1883.
    public struct Configuration: Sendable {
        /// The server's host name or IP address.
        public var host: String
        /// The server's TCP port. Default 1883.
        public var port: Int
        /// The Client Identifier. May be empty: a 5.0 server then assigns one (returned in
        /// CONNACK and reused on reconnection); a 3.1.1 server accepts it only with `cleanStart`.
        public var clientID: String
        /// The protocol version. Default `.v3_1_1`.
        public var protocolVersion: MQTTProtocolVersion
        /// Clean Start (5.0) or Clean Session (3.1.1). Default `true`. With `false` the session
        /// (subscriptions, unacknowledged messages) continues on reconnection.
        public var cleanStart: Bool
        /// Keep Alive in seconds; 0 turns it off. Default 60. A Server Keep Alive in CONNACK
        /// replaces it (MQTT-3.2.2-21).
        public var keepAlive: UInt16
        /// How long to wait for PINGRESP before closing the connection. Default 10 seconds.
        public var pingTimeout: Duration
        /// User Name. Default nil.
        public var username: String?
        /// Password (binary data). Default nil.
        public var password: ByteBuffer?
        /// The Last Will, published by the server when the connection ends without DISCONNECT
        /// (or with reason code 0x04). Default nil.
        public var will: ConnectPacket.Will?

        /// Session Expiry Interval in seconds (5.0). Default nil (0: the session ends with the
        /// connection). Use a positive value with `cleanStart = false` for a persistent session.
        public var sessionExpiryInterval: UInt32?
        /// Receive Maximum (5.0): how many unacknowledged QoS 1/2 PUBLISHes the server may send
        /// us. Default nil (65,535).
        public var receiveMaximum: UInt16?
        /// Maximum Packet Size we accept (5.0); larger packets are a protocol error. Default nil
        /// (no limit beyond the protocol's).
        public var maximumPacketSize: UInt32?
        /// Topic Alias Maximum we announce (5.0): the server may then replace topics by aliases,
        /// which the client resolves before handing messages out. Default 16; 0 turns it off.
        public var topicAliasMaximum: UInt16
        /// Request Response Information (5.0). Default nil (false).
        public var requestResponseInformation: Bool?
        /// Request Problem Information (5.0). Default nil (true).
        public var requestProblemInformation: Bool?
        /// User Properties of CONNECT (5.0). Default none.
        public var userProperties: [MQTTUserProperty]

        /// TLS settings; nil for plain TCP. Default nil.
        public var tls: TLSConfiguration?
        /// The name to check the server certificate against and to send in SNI. Default: `host`
        /// unless it is an IP address.
        public var tlsServerHostname: String?
        /// How long the TCP/TLS handshake plus CONNECT/CONNACK may take. Default 10 seconds.
        public var connectTimeout: Duration

        /// The most outgoing QoS 1/2 PUBLISHes awaiting acknowledgement at once; further
        /// PUBLISHes wait in a queue. The server's Receive Maximum caps it. Default 65,535.
        public var maximumInFlight: Int
        /// Whether outgoing PUBLISHes use topic aliases (5.0) up to the server's Topic Alias
        /// Maximum: the first PUBLISH to a topic sets an alias, later ones send only the alias.
        /// Default false.
        public var useTopicAliases: Bool
        /// When received QoS 1/2 messages are acknowledged. Default `.automatic`.
        public var acknowledgementMode: AcknowledgementMode
        /// How many received messages may wait for the consumer of `messages` before the client
        /// stops reading from the socket. Default 1,024; reading resumes below a quarter of it.
        public var messageBufferSize: Int

        /// Creates a configuration with the defaults documented on each property.
        public init(
            host: String,
            port: Int = 1883,
            clientID: String,
            protocolVersion: MQTTProtocolVersion = .v3_1_1
        ) {
            self.host = host
            self.port = port
            self.clientID = clientID
            self.protocolVersion = protocolVersion
            self.cleanStart = true
            self.keepAlive = 60
            self.pingTimeout = .seconds(10)
            self.username = nil
            self.password = nil
            self.will = nil
            self.sessionExpiryInterval = nil
            self.receiveMaximum = nil
            self.maximumPacketSize = nil
            self.topicAliasMaximum = 16
            self.requestResponseInformation = nil
            self.requestProblemInformation = nil
            self.userProperties = []
            self.tls = nil
            self.tlsServerHostname = nil
            self.connectTimeout = .seconds(10)
            self.maximumInFlight = Int(UInt16.max)
            self.useTopicAliases = false
            self.acknowledgementMode = .automatic
            self.messageBufferSize = 1024
        }

        /// The CONNECT packet this configuration describes.
        var connectPacket: ConnectPacket {
            var properties = MQTTProperties()
            if self.protocolVersion == .v5 {
                properties.sessionExpiryInterval = self.sessionExpiryInterval
                properties.receiveMaximum = self.receiveMaximum
                properties.maximumPacketSize = self.maximumPacketSize
                if self.topicAliasMaximum > 0 {
                    properties.topicAliasMaximum = self.topicAliasMaximum
                }
                properties.requestResponseInformation = self.requestResponseInformation
                properties.requestProblemInformation = self.requestProblemInformation
                properties.userProperties = self.userProperties
            }
            return ConnectPacket(
                protocolVersion: self.protocolVersion,
                clientID: self.clientID,
                cleanStart: self.cleanStart,
                keepAlive: self.keepAlive,
                username: self.username,
                password: self.password,
                will: self.will,
                properties: properties
            )
        }
    }
}
