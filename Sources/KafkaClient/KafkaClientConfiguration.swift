import NIOSSL

/// Settings shared by everything that talks to a Kafka cluster (admin, fetch, producer).
///
/// Defaults follow the Java client where it has the same setting.
public struct KafkaClientConfiguration: Sendable {
    /// Where to find the cluster: any subset of its brokers. Tried in order until one answers.
    public var bootstrapServers: [KafkaBrokerAddress]
    /// The `client_id` sent in every request header (`client.id`). Default `tributary`.
    public var clientID: String
    /// How long to wait for a TCP connection (and its ApiVersions handshake). Default 10 s.
    public var connectTimeout: Duration
    /// How long a request may wait for its answer before the connection is closed and the
    /// request fails as retriable (`request.timeout.ms`). Default 30 s.
    public var requestTimeout: Duration
    /// The first pause before a retry (`retry.backoff.ms`); doubled per attempt. Default 100 ms.
    public var retryBackoff: Duration
    /// The longest pause between retries (`retry.backoff.max.ms`). Default 1 s.
    public var retryBackoffMax: Duration
    /// How long an operation keeps retrying retriable failures (metadata, admin, fetch)
    /// before it gives up (`default.api.timeout.ms`). Default 60 s.
    public var operationTimeout: Duration
    /// Metadata older than this is refreshed before use (`metadata.max.age.ms`). Default 5 min.
    public var metadataMaxAge: Duration
    /// The largest response frame accepted from a broker. Default 100 MiB.
    public var maximumResponseSize: Int
    /// TLS for every broker connection (`security.protocol=SSL`); nil: plain TCP. Default nil.
    public var tls: TLSConfiguration?
    /// SASL authentication after connecting (`SASL_PLAINTEXT`, or `SASL_SSL` with ``tls``).
    /// Default nil.
    public var sasl: KafkaSASLMechanism?

    /// Creates a configuration for the given bootstrap servers.
    public init(bootstrapServers: [KafkaBrokerAddress], clientID: String = "tributary") {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.connectTimeout = .seconds(10)
        self.requestTimeout = .seconds(30)
        self.retryBackoff = .milliseconds(100)
        self.retryBackoffMax = .seconds(1)
        self.operationTimeout = .seconds(60)
        self.metadataMaxAge = .seconds(300)
        self.maximumResponseSize = 104_857_600
        self.tls = nil
        self.sasl = nil
    }

    /// The pause before retry number `attempt` (1-based): exponential from ``retryBackoff``,
    /// capped at ``retryBackoffMax``, with ±20 % jitter as the Java client does (KIP-580).
    func backoff(attempt: Int) -> Duration {
        let base = self.retryBackoff * (1 << min(max(attempt - 1, 0), 16))
        let capped = min(base, self.retryBackoffMax)
        return capped * Double.random(in: 0.8...1.2)
    }
}

extension KafkaClientConfiguration {
    /// Turns on TLS with the default client settings, trusting the CA certificates in the PEM file
    /// at `caPath` (nil: the system's trust store).
    public mutating func useTLS(trustingCertificatesIn caPath: String? = nil) throws {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caPath {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caPath))
        }
        self.tls = tls
    }
}
