import BrokerCore
import MQTTCodec
import NIOCore

/// Everything the MQTT broker can be told, with production defaults.
///
/// The YAML configuration file maps onto this; each property documents its key.
public struct BrokerConfiguration: Sendable {
    /// One MQTT listener (`listeners:` entries).
    public struct Listener: Sendable, Hashable {
        public var host: String
        /// 0 picks a free port (tests); the bound port is reported by `MQTTBroker.boundPorts`.
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// `listeners:`; default MQTT on 127.0.0.1:1883.
    public var listeners: [Listener] = [Listener(host: "127.0.0.1", port: 1883)]

    /// Event loop threads; default one per core.
    public var eventLoopThreads: Int = System.coreCount

    /// `limits.max-connections`: connections above this are closed at accept. Default 100,000.
    public var maximumConnections: Int = 100_000

    /// `limits.max-packet-size`: largest packet accepted from clients, fixed header included
    /// (announced as Maximum Packet Size in v5 CONNACK). Default 1 MiB.
    public var maximumPacketSize: Int = 1_048_576

    /// `limits.max-queued-per-session`: messages queued for one session beyond its in-flight
    /// window (offline, or a slow reader). When full, new messages for that session are dropped
    /// and counted (`tributary_mqtt_messages_dropped_total{reason="queue_full"}`). Default 10,000.
    public var maximumQueuedPerSession: Int = 10_000

    /// `limits.max-inflight`: outgoing QoS 1/2 messages unacknowledged per client; the lower of
    /// this and the client's Receive Maximum applies (MQTT-3.3.4-7). Default 1,000.
    public var maximumInflightOutgoing: Int = 1_000

    /// `limits.receive-maximum`: Receive Maximum announced to v5 clients: how many QoS 2 messages
    /// a client may have awaiting PUBREL (MQTT-3.3.4-9). Default 1,024.
    public var receiveMaximum: UInt16 = 1_024

    /// `limits.topic-alias-maximum`: Topic Alias Maximum announced to v5 clients. Default 64.
    public var topicAliasMaximum: UInt16 = 64

    /// `limits.max-topic-length` / `max-topic-levels`.
    public var topicLimits = TopicLimits()

    /// `limits.connect-timeout`: seconds a new connection may take to send CONNECT. Default 10.
    public var connectTimeoutSeconds: Int = 10

    /// `limits.max-keep-alive`: the largest keep-alive accepted, in seconds; a v5 client asking
    /// for more (or for 0) gets this as Server Keep Alive. 3.1.1 clients cannot be told, so their
    /// value is used as sent. Default 65,535 (no override).
    public var maximumKeepAlive: UInt16 = UInt16.max

    /// `limits.max-session-expiry`: cap on a v5 client's Session Expiry Interval in seconds.
    /// Default: no cap.
    public var maximumSessionExpiry: UInt32 = UInt32.max

    /// `sessions.persistent-expiry`: how long a 3.1/3.1.1 session with Clean Session = 0 is kept
    /// while its client is offline, in seconds. 3.1.1 has no expiry on the wire; the spec leaves
    /// it to the server (MQTT 3.1.1 §3.1.2.4). Default: never expires.
    public var persistentSessionExpiry: UInt32 = UInt32.max

    /// `sessions.queue-qos0-offline`: whether QoS 0 messages are queued for offline persistent
    /// sessions (the spec allows either, MQTT 5.0 §3.1.2.4). Default false, as Mosquitto.
    public var queueQoS0WhileOffline: Bool = false

    /// `sys-interval`: seconds between `$SYS/broker/...` updates; 0 turns them off. Default 10.
    public var systemTopicsIntervalSeconds: Int = 10

    /// `response-information`: prefix returned as Response Information to v5 clients that ask for
    /// it (MQTT 5.0 §3.2.2.3.15); the client id is appended. Default `response/`.
    public var responseInformationPrefix: String = "response/"

    public init() {}
}
