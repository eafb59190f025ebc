import MQTTCodec
import NIOCore

/// Valid packets of every type, for the tests that need a varied stream (decoder verifier,
/// truncation, garbage seeds).
enum SamplePackets {
    static func connect(_ version: MQTTProtocolVersion) -> MQTTPacket {
        .connect(
            ConnectPacket(
                protocolVersion: version,
                clientID: "device-7",
                cleanStart: false,
                keepAlive: 30,
                username: "meter",
                password: buffer("secret"),
                will: .init(
                    topic: "site/42/status",
                    payload: buffer("offline"),
                    qos: .atLeastOnce,
                    retain: true,
                    properties: version == .v5 ? [.willDelayInterval(5), .userProperty(name: "a", value: "b")] : []
                ),
                properties: version == .v5 ? [.sessionExpiryInterval(300), .receiveMaximum(20)] : []
            )
        )
    }

    static func publishes(_ version: MQTTProtocolVersion) -> [MQTTPacket] {
        [
            .publish(PublishPacket(topic: "a/b", payload: buffer("hello"))),
            .publish(PublishPacket(topic: "a/b", payload: ByteBuffer(), qos: .atLeastOnce, retain: true, packetID: 1)),
            .publish(
                PublishPacket(
                    topic: "site/42/generator/7/telemetry",
                    payload: buffer(String(repeating: "x", count: 300)),
                    qos: .exactlyOnce,
                    dup: true,
                    packetID: 65535,
                    properties: version == .v5 ? [.messageExpiryInterval(60), .contentType("text/plain")] : []
                )
            ),
        ]
    }

    static func flows(_ version: MQTTProtocolVersion) -> [MQTTPacket] {
        var packets: [MQTTPacket] = [
            .puback(PublishFlowPacket(packetID: 1)),
            .pubrec(PublishFlowPacket(packetID: 2)),
            .pubrel(PublishFlowPacket(packetID: 3)),
            .pubcomp(PublishFlowPacket(packetID: 4)),
        ]
        if version == .v5 {
            packets += [
                .puback(PublishFlowPacket(packetID: 5, reasonCode: .noMatchingSubscribers)),
                .pubrec(
                    PublishFlowPacket(packetID: 6, reasonCode: .quotaExceeded, properties: [.reasonString("full")])
                ),
                .pubrel(PublishFlowPacket(packetID: 7, reasonCode: .packetIdentifierNotFound)),
            ]
        }
        return packets
    }

    /// What a client sends, and so a server-role decoder receives.
    static func fromClient(_ version: MQTTProtocolVersion) -> [MQTTPacket] {
        var packets: [MQTTPacket] = [self.connect(version)] + self.publishes(version) + self.flows(version)
        packets += [
            .subscribe(
                SubscribePacket(
                    packetID: 10,
                    subscriptions: [
                        TopicSubscription(topicFilter: "site/+/status", options: .init(qos: .atLeastOnce)),
                        TopicSubscription(topicFilter: "#", options: .init(qos: .exactlyOnce)),
                    ],
                    properties: version == .v5 ? [.subscriptionIdentifier(9)] : []
                )
            ),
            .unsubscribe(UnsubscribePacket(packetID: 11, topicFilters: ["site/+/status", "#"])),
            .pingreq,
            .disconnect(DisconnectPacket()),
        ]
        if version == .v5 {
            packets += [
                .disconnect(DisconnectPacket(reasonCode: .disconnectWithWillMessage)),
                .auth(AuthPacket(reasonCode: .reAuthenticate, properties: [.authenticationMethod("SCRAM-SHA-1")])),
            ]
        }
        return packets
    }

    /// What a server sends, and so a client-role decoder receives.
    static func fromServer(_ version: MQTTProtocolVersion) -> [MQTTPacket] {
        var packets: [MQTTPacket] = [
            .connack(
                ConnAckPacket(
                    sessionPresent: true,
                    properties: version == .v5 ? [.assignedClientIdentifier("auto-1"), .topicAliasMaximum(10)] : []
                )
            )
        ]
        packets += self.publishes(version) + self.flows(version)
        packets += [
            .suback(SubAckPacket(packetID: 10, reasonCodes: [.grantedQoS1, .unspecifiedError])),
            .unsuback(
                UnsubAckPacket(packetID: 11, reasonCodes: version == .v5 ? [.success, .noSubscriptionExisted] : [])
            ),
            .pingresp,
        ]
        if version == .v5 {
            packets += [
                .disconnect(DisconnectPacket(reasonCode: .serverShuttingDown, properties: [.reasonString("bye")])),
                .auth(
                    AuthPacket(reasonCode: .continueAuthentication, properties: [.authenticationMethod("SCRAM-SHA-1")])
                ),
                .auth(AuthPacket()),
            ]
        }
        return packets
    }

    static func encoded(_ packets: [MQTTPacket], _ version: MQTTProtocolVersion) throws -> [ByteBuffer] {
        try packets.map { packet in
            var buffer = ByteBuffer()
            try buffer.writeMQTTPacket(packet, version: version)
            return buffer
        }
    }
}
