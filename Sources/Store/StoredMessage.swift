import BrokerCore
import MQTTCodec
import NIOCore

/// An application message as the store keeps it: plain values, with the expiry turned from the
/// process's monotonic clock into wall-clock milliseconds so it keeps counting across a restart.
public struct StoredMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: UInt8
    public var retain: Bool
    /// The forwarded MQTT 5 properties in their wire encoding (Property Length first).
    public var properties: [UInt8]
    /// Unix time in milliseconds after which the message is expired; nil: never.
    public var expiresAt: Int64?

    public init(topic: String, payload: [UInt8], qos: UInt8, retain: Bool, properties: [UInt8], expiresAt: Int64?) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.properties = properties
        self.expiresAt = expiresAt
    }

    /// - Parameters:
    ///   - wallClockMilliseconds: now, as Unix milliseconds.
    ///   - monotonicNow: now, on the clock the message's expiry was taken with.
    public init(_ message: ApplicationMessage, wallClockMilliseconds: Int64, monotonicNow: NIODeadline) {
        var properties: [UInt8] = []
        if !message.forwardedProperties.isEmpty {
            var buffer = ByteBuffer()
            buffer.writeStoredMQTTProperties(message.forwardedProperties)
            properties = Array(buffer.readableBytesView)
        }
        var expiresAt: Int64?
        if let expiry = message.expiry {
            let deadline = expiry.receivedAt + .seconds(Int64(expiry.interval))
            let remaining = max(0, (deadline - monotonicNow).nanoseconds / 1_000_000)
            expiresAt = wallClockMilliseconds + remaining
        }
        self.init(
            topic: message.topic,
            payload: Array(message.payload.readableBytesView),
            qos: message.qos.rawValue,
            retain: message.retain,
            properties: properties,
            expiresAt: expiresAt
        )
    }

    /// The message again, or nil when it expired while stored or its bytes are not valid.
    public func applicationMessage(wallClockMilliseconds: Int64, monotonicNow: NIODeadline) -> ApplicationMessage? {
        guard let qos = QoS(rawValue: qos) else { return nil }
        var expiry: MessageExpiry?
        if let expiresAt {
            let remaining = expiresAt - wallClockMilliseconds
            guard remaining > 0 else { return nil }
            // Whole seconds, rounded up: the message never outlives its publisher's interval by
            // more than the rounding, and never expires early.
            let seconds = UInt32(clamping: (remaining + 999) / 1_000)
            expiry = MessageExpiry(interval: seconds, receivedAt: monotonicNow)
        }
        var forwarded = MQTTProperties()
        if !properties.isEmpty {
            var buffer = ByteBuffer(bytes: properties)
            guard let decoded = try? MQTTProperties.readStored(from: &buffer) else { return nil }
            forwarded = decoded
        }
        return ApplicationMessage(
            topic: topic,
            payload: ByteBuffer(bytes: payload),
            qos: qos,
            retain: retain,
            forwardedProperties: forwarded,
            expiry: expiry
        )
    }
}
