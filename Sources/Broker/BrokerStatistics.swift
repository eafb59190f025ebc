import Atomics

/// Broker-wide counters, read by `$SYS/broker/...` and by the metrics endpoint.
///
/// Relaxed atomics: they are statistics, never used to make a decision about a message.
final class BrokerStatistics: Sendable {
    let startedAt = ContinuousClock.now

    let connectionsCurrent = ManagedAtomic<Int>(0)
    let connectionsTotal = ManagedAtomic<Int>(0)
    let connectionsRejected = ManagedAtomic<Int>(0)
    let messagesReceived = ManagedAtomic<Int>(0)
    let messagesSent = ManagedAtomic<Int>(0)
    let bytesReceived = ManagedAtomic<Int>(0)
    let bytesSent = ManagedAtomic<Int>(0)
    /// A session's queue was full (see `BrokerConfiguration.maximumQueuedPerSession`).
    let messagesDroppedQueueFull = ManagedAtomic<Int>(0)
    /// A message expired before it could be sent (MQTT-3.3.2-5).
    let messagesExpired = ManagedAtomic<Int>(0)
    /// A message was larger than the receiving client's Maximum Packet Size (MQTT-3.1.2-25).
    let messagesDroppedTooLarge = ManagedAtomic<Int>(0)
    /// QoS 0 messages for offline sessions, not queued by configuration.
    let messagesDroppedOffline = ManagedAtomic<Int>(0)
    let protocolErrors = ManagedAtomic<Int>(0)
    /// QoS 1/2 PUBLISHes not acknowledged as a success because Kafka did not take the record.
    let bridgeRefusals = ManagedAtomic<Int>(0)
    /// Times the broker stopped reading a publisher because a Kafka spool was nearly full.
    let spoolPauses = ManagedAtomic<Int>(0)
    // Limits against abuse (`limits:`), one counter each; `connectionsRejected` is max-connections
    // and `messagesDroppedQueueFull` max-queued-per-session.
    /// `max-packet-size`: packets refused as too large.
    let limitPacketTooLarge = ManagedAtomic<Int>(0)
    /// `max-topic-length` / `max-topic-levels`: PUBLISHes refused.
    let limitTopic = ManagedAtomic<Int>(0)
    /// `connect-timeout`: connections closed without CONNECT.
    let limitConnectTimeout = ManagedAtomic<Int>(0)
    /// `max-publish-rate`: PUBLISHes refused (v5 0x97) or dropped (3.1.1).
    let limitPublishRate = ManagedAtomic<Int>(0)
    /// `max-connection-rate`: connections refused (CONNACK 0x9F / 3).
    let limitConnectionRate = ManagedAtomic<Int>(0)
    let keepAliveTimeouts = ManagedAtomic<Int>(0)
    let willsPublished = ManagedAtomic<Int>(0)
    /// CONNECTs refused for their credentials (Auth/Authenticator.swift).
    let authenticationFailures = ManagedAtomic<Int>(0)
    /// ACL denials (Auth/MQTTConnectionHandler+Access.swift).
    let publishesDenied = ManagedAtomic<Int>(0)
    let subscriptionsDenied = ManagedAtomic<Int>(0)
    let willsDenied = ManagedAtomic<Int>(0)
    /// Messages not delivered because the receiving client may not read their topic.
    let deliveriesDenied = ManagedAtomic<Int>(0)

    var uptimeSeconds: Int {
        Int((ContinuousClock.now - startedAt).components.seconds)
    }
}

extension ManagedAtomic where Value == Int {
    @inline(__always)
    func add(_ amount: Int) {
        wrappingIncrement(by: amount, ordering: .relaxed)
    }

    @inline(__always)
    func subtract(_ amount: Int) {
        wrappingDecrement(by: amount, ordering: .relaxed)
    }

    @inline(__always)
    var current: Int { load(ordering: .relaxed) }
}
