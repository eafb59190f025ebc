import MQTTCodec
import NIOCore

/// An application message as the broker routes it: immutable and shared by every delivery, so
/// fanning out to N subscribers costs N references, not N copies.
public final class ApplicationMessage: Sendable {
    public let topic: String
    public let payload: ByteBuffer
    /// The QoS it was published with; each delivery is downgraded to its subscription's QoS.
    public let qos: QoS
    /// The RETAIN flag as published (MQTT-3.3.1-5).
    public let retain: Bool
    /// Properties forwarded unchanged to subscribers (MQTT 5.0 §3.3.2.3): payload format,
    /// content type, response topic, correlation data, user properties. Topic Alias and
    /// Subscription Identifiers are per-connection and are not kept here; the message expiry
    /// interval is kept in `expiry` and rewritten on every forward (MQTT-3.3.2-6).
    public let forwardedProperties: MQTTProperties
    /// When the message expires, if the publisher set a Message Expiry Interval.
    public let expiry: MessageExpiry?

    public init(
        topic: String,
        payload: ByteBuffer,
        qos: QoS,
        retain: Bool,
        forwardedProperties: MQTTProperties = [],
        expiry: MessageExpiry? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.forwardedProperties = forwardedProperties
        self.expiry = expiry
    }

    /// Builds the routed message from a received PUBLISH whose topic alias is already resolved.
    public convenience init(publish: PublishPacket, topic: String, receivedAt: NIODeadline) {
        var forwarded = publish.properties
        if !forwarded.isEmpty {
            forwarded.removeAll(.topicAlias)
            forwarded.removeAll(.subscriptionIdentifier)
            forwarded.removeAll(.messageExpiryInterval)
        }
        self.init(
            topic: topic,
            payload: publish.payload,
            qos: publish.qos,
            retain: publish.retain,
            forwardedProperties: forwarded,
            expiry: publish.properties.messageExpiryInterval.map { MessageExpiry(interval: $0, receivedAt: receivedAt) }
        )
    }

    /// The same message with another RETAIN flag; used when a retained copy is stored.
    public func with(retain: Bool) -> ApplicationMessage {
        if retain == self.retain { return self }
        return ApplicationMessage(
            topic: topic,
            payload: payload,
            qos: qos,
            retain: retain,
            forwardedProperties: forwardedProperties,
            expiry: expiry
        )
    }
}

/// The Message Expiry Interval of a message and when the broker received it (MQTT 5.0 §3.3.2.3.3).
public struct MessageExpiry: Sendable, Hashable {
    /// Seconds, as the publisher sent it.
    public var interval: UInt32
    public var receivedAt: NIODeadline

    public init(interval: UInt32, receivedAt: NIODeadline) {
        self.interval = interval
        self.receivedAt = receivedAt
    }

    /// The interval left at `now`, or nil once the message has expired.
    ///
    /// The forwarded value is the received value minus the whole seconds the message waited
    /// (MQTT-3.3.2-6); a message is expired once its full interval has passed (MQTT-3.3.2-5).
    public func remainingInterval(at now: NIODeadline) -> UInt32? {
        let waitedNanoseconds = max(0, (now - receivedAt).nanoseconds)
        let waitedSeconds = UInt64(waitedNanoseconds / 1_000_000_000)
        guard waitedSeconds < UInt64(interval) else { return nil }
        return interval - UInt32(waitedSeconds)
    }
}

extension ApplicationMessage {
    /// The message a Will becomes when it is published (MQTT 5.0 §3.1.3.2). Will Delay Interval
    /// is the broker's business and is not forwarded; the expiry counts from `publishedAt`.
    public convenience init(will: ConnectPacket.Will, publishedAt: NIODeadline) {
        var forwarded = will.properties
        if !forwarded.isEmpty {
            forwarded.removeAll(.willDelayInterval)
            forwarded.removeAll(.messageExpiryInterval)
        }
        self.init(
            topic: will.topic,
            payload: will.payload,
            qos: will.qos,
            retain: will.retain,
            forwardedProperties: forwarded,
            expiry: will.properties.messageExpiryInterval.map { MessageExpiry(interval: $0, receivedAt: publishedAt) }
        )
    }
}
