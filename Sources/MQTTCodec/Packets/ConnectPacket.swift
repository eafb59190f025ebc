import NIOCore

/// CONNECT: the first packet a client sends (MQTT 5.0 §3.1, MQTT 3.1.1 §3.1).
public struct ConnectPacket: Sendable, Hashable {
    /// The Last Will of the connection (§3.1.2.5, §3.1.3.2).
    public struct Will: Sendable, Hashable {
        public var topic: String
        public var payload: ByteBuffer
        public var qos: QoS
        public var retain: Bool
        /// Will Properties (5.0 only): will delay, payload format, expiry, content type,
        /// response topic, correlation data, user properties.
        public var properties: MQTTProperties

        public init(
            topic: String,
            payload: ByteBuffer,
            qos: QoS = .atMostOnce,
            retain: Bool = false,
            properties: MQTTProperties = []
        ) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
            self.properties = properties
        }
    }

    public var protocolVersion: MQTTProtocolVersion
    /// May be empty: the server then assigns one (§3.1.3.1; 3.1.1 only with clean session).
    public var clientID: String
    /// Clean Start in 5.0, Clean Session in 3.1/3.1.1.
    public var cleanStart: Bool
    /// Keep Alive in seconds; 0 turns the mechanism off (§3.1.2.10).
    public var keepAlive: UInt16
    public var username: String?
    /// Binary data in 5.0 and 3.1.1 (§3.1.3.6).
    public var password: ByteBuffer?
    public var will: Will?
    public var properties: MQTTProperties

    public init(
        protocolVersion: MQTTProtocolVersion = .v5,
        clientID: String,
        cleanStart: Bool = true,
        keepAlive: UInt16 = 60,
        username: String? = nil,
        password: ByteBuffer? = nil,
        will: Will? = nil,
        properties: MQTTProperties = []
    ) {
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.cleanStart = cleanStart
        self.keepAlive = keepAlive
        self.username = username
        self.password = password
        self.will = will
        self.properties = properties
    }
}
