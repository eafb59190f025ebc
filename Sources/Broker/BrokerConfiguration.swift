import BrokerCore
import MQTTCodec
import NIOCore

/// Everything the MQTT broker can be told, with production defaults.
///
/// The YAML configuration file maps onto this; each property documents its key.
public struct BrokerConfiguration: Sendable {
    /// One MQTT listener (`listeners:` entries).
    public struct Listener: Sendable, Hashable {
        /// What the listener speaks (`type:`).
        public enum Kind: Sendable, Hashable {
            /// MQTT over TCP (`tcp`).
            case tcp
            /// MQTT over TLS (`tls`).
            case tls(TLSSettings)
            /// MQTT over WebSocket with the `mqtt` subprotocol (`ws`), served at `path`.
            case webSocket(path: String)
            /// MQTT over WebSocket over TLS (`wss`).
            case webSocketTLS(TLSSettings, path: String)
        }

        public var kind: Kind
        public var host: String
        /// 0 picks a free port (tests); `MQTTBroker.start()` returns the bound addresses.
        public var port: Int
        /// `ingest-only`: PUBLISHes on this listener go to the Kafka mappings only, never to local
        /// subscribers or the retained store, and SUBSCRIBE is refused (the Confluent MQTT Proxy
        /// role), so nodes that only take in device data scale without routing state. Default false.
        public var ingestOnly: Bool

        public init(_ kind: Kind = .tcp, host: String, port: Int, ingestOnly: Bool = false) {
            self.kind = kind
            self.host = host
            self.port = port
            self.ingestOnly = ingestOnly
        }
    }

    /// Certificates of a TLS or WSS listener (`cert`, `key`, `ca`, `require-client-cert`,
    /// `use-identity-as-username`). Paths are PEM files.
    public struct TLSSettings: Sendable, Hashable {
        public var certificatePath: String
        public var privateKeyPath: String
        /// CA certificates that client certificates are verified against.
        public var certificateAuthorityPath: String?
        /// Refuse clients without a valid certificate. Default false.
        public var requireClientCertificate: Bool
        /// Use the Common Name of a verified client certificate as the user name. Default false.
        public var useCommonNameAsUsername: Bool

        public init(
            certificatePath: String,
            privateKeyPath: String,
            certificateAuthorityPath: String? = nil,
            requireClientCertificate: Bool = false,
            useCommonNameAsUsername: Bool = false
        ) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.certificateAuthorityPath = certificateAuthorityPath
            self.requireClientCertificate = requireClientCertificate
            self.useCommonNameAsUsername = useCommonNameAsUsername
        }
    }

    /// How much a QoS 1/2 acknowledgement promises about the disk (`durability:`), when a
    /// `dataDirectory` is set.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// PUBACK/PUBREC leave after the state is committed and fsync'd: survives a crash of the
        /// process and of the machine. The default.
        case fsync
        /// Committed before the acknowledgement but not fsync'd: survives `kill -9` of the broker,
        /// not a power cut. Faster on slow disks.
        case process
        /// Written behind the acknowledgement: a crash can lose the last few milliseconds of
        /// acknowledged messages. For tests and throwaway data only.
        case none
    }

    /// `auth:` settings.
    public struct Authentication: Sendable, Hashable {
        /// `allow-anonymous`: connections without a user name are accepted. Default true for the
        /// embedded defaults (loopback-only listener); a configuration file sets false unless it
        /// says otherwise.
        public var allowAnonymous: Bool
        /// `password-file`: written by `tributary passwd`; nil means no passwords are checked.
        public var passwordFile: String?

        public init(allowAnonymous: Bool = true, passwordFile: String? = nil) {
            self.allowAnonymous = allowAnonymous
            self.passwordFile = passwordFile
        }
    }

    /// `listeners:`; default MQTT over TCP on 127.0.0.1:1883 only.
    public var listeners: [Listener] = [Listener(.tcp, host: "127.0.0.1", port: 1883)]

    /// `data-dir`: where the embedded SQLite store keeps sessions, queues and retained messages.
    /// nil keeps everything in memory (lost on restart).
    public var dataDirectory: String?

    /// `durability`: see `Durability`. Default `.fsync`.
    public var durability: Durability = .fsync

    /// `auth:`.
    public var authentication = Authentication()

    /// `acl:` rules, first match wins; an empty list allows everything, otherwise anything no
    /// rule matches is denied.
    public var accessRules: [AccessRule] = []

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

    /// `limits.max-publish-rate`: PUBLISH packets per second one client may send; above it v5
    /// QoS 1/2 get 0x97 Quota exceeded and the message is not routed. nil: no limit (default).
    public var maximumPublishRate: Int?

    /// `limits.max-connection-rate`: new connections per second from one source address;
    /// above it connections are refused (v5 CONNACK 0x9F). nil: no limit (default).
    public var maximumConnectionRate: Int?

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
