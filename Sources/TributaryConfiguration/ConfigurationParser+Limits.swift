import Broker
import BrokerCore
import Yams

extension ConfigurationParser {
    static let limitKeys = [
        "max-connections", "max-packet-size", "max-queued-per-session", "max-inflight", "receive-maximum",
        "topic-alias-maximum", "max-topic-length", "max-topic-levels", "max-publish-rate", "max-connection-rate",
        "connect-timeout", "max-keep-alive", "max-session-expiry",
    ]

    /// `limits:`; each key maps onto the `BrokerConfiguration` property that documents it.
    func parseLimits(_ node: Node, _ path: String, into broker: inout BrokerConfiguration) {
        guard let fields = reader.fields(node, path, allowed: Self.limitKeys) else { return }
        let uint16 = 0...Int(UInt16.max)
        let uint32 = 0...Int(UInt32.max)
        if let value = reader.int(fields, "max-connections", in: 1...Int.max) {
            broker.maximumConnections = value
        }
        // The largest packet MQTT can frame: 1 + 4 bytes of header and 268,435,455 of body.
        if let value = reader.int(fields, "max-packet-size", in: 64...268_435_460) {
            broker.maximumPacketSize = value
        }
        if let value = reader.int(fields, "max-queued-per-session", in: 1...Int.max) {
            broker.maximumQueuedPerSession = value
        }
        if let value = reader.int(fields, "max-inflight", in: 1...Int(UInt16.max)) {
            broker.maximumInflightOutgoing = value
        }
        if let value = reader.int(fields, "receive-maximum", in: 1...Int(UInt16.max)) {
            broker.receiveMaximum = UInt16(value)
        }
        if let value = reader.int(fields, "topic-alias-maximum", in: uint16) {
            broker.topicAliasMaximum = UInt16(value)
        }
        if let value = reader.int(fields, "max-topic-length", in: 1...Int(UInt16.max)) {
            broker.topicLimits.maximumLength = value
        }
        if let value = reader.int(fields, "max-topic-levels", in: 1...65_535) {
            broker.topicLimits.maximumLevels = value
        }
        if let value = reader.int(fields, "max-publish-rate", in: 1...Int.max) {
            broker.maximumPublishRate = value
        }
        if let value = reader.int(fields, "max-connection-rate", in: 1...Int.max) {
            broker.maximumConnectionRate = value
        }
        if let value = reader.int(fields, "connect-timeout", in: 1...3_600) {
            broker.connectTimeoutSeconds = value
        }
        if let value = reader.int(fields, "max-keep-alive", in: 1...Int(UInt16.max)) {
            broker.maximumKeepAlive = UInt16(value)
        }
        if let value = reader.int(fields, "max-session-expiry", in: uint32) {
            broker.maximumSessionExpiry = UInt32(value)
        }
    }

    /// `sessions: { persistent-expiry, queue-qos0-offline }`.
    func parseSessions(_ node: Node, _ path: String, into broker: inout BrokerConfiguration) {
        guard let fields = reader.fields(node, path, allowed: ["persistent-expiry", "queue-qos0-offline"]) else {
            return
        }
        if let value = reader.int(fields, "persistent-expiry", in: 0...Int(UInt32.max)) {
            broker.persistentSessionExpiry = UInt32(value)
        }
        if let value = reader.bool(fields, "queue-qos0-offline") {
            broker.queueQoS0WhileOffline = value
        }
    }
}
