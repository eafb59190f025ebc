import Broker
import Foundation
import MQTTClient
import MQTTCodec
import NIOCore
import Testing

/// Packets a client sends right behind its CONNECT (allowed, MQTT 3.1.1 §3.1.4) wait while the
/// password is verified off the event loop, then run in order; after a refusal none of them does.
@Suite(.timeLimit(.minutes(2))) struct AuthPipeliningTests {
    private func pipelined(password: String, topic: String) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        let connect = ConnectPacket(
            protocolVersion: .v5,
            clientID: uniqueName("pipelined"),
            username: "alice",
            password: ByteBuffer(string: password)
        )
        try buffer.writeMQTTPacket(.connect(connect), version: .v5)
        let subscribe = SubscribePacket(
            packetID: 1,
            subscriptions: [TopicSubscription(topicFilter: topic, options: SubscriptionOptions(qos: .atLeastOnce))]
        )
        try buffer.writeMQTTPacket(.subscribe(subscribe), version: .v5)
        let publish = PublishPacket(topic: topic, payload: ByteBuffer(string: "early"), qos: .atLeastOnce, packetID: 2)
        try buffer.writeMQTTPacket(.publish(publish), version: .v5)
        return buffer
    }

    private func withPasswordBroker(_ body: (TestBroker) async throws -> Void) async throws {
        let directory = try TributaryProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwordFile = try writePasswordFile(["alice": "wonderland"], in: directory)
        try await withBroker(configure: { $0.authentication = .init(allowAnonymous: false, passwordFile: passwordFile) }
        ) {
            try await body($0)
        }
    }

    @Test func packetsBehindAnAcceptedConnectAreHandledInOrder() async throws {
        try await withPasswordBroker { broker in
            let topic = uniqueName("pipe")
            let connection = try await MQTTRawConnection.connect(
                host: "127.0.0.1",
                port: broker.port,
                protocolVersion: .v5
            )
            try await connection.sendRaw(try pipelined(password: "wonderland", topic: topic))

            guard case .connack(let connack) = try await connection.receive() else {
                Issue.record("expected CONNACK first")
                return
            }
            #expect(connack.reasonCode == .success)
            #expect(try await connection.receive() == .suback(SubAckPacket(packetID: 1, reasonCodes: [.grantedQoS1])))
            var rest: [MQTTPacket] = []
            for _ in 0..<2 {
                if let packet = try await connection.receive() { rest.append(packet) }
            }
            #expect(rest.contains(.puback(PublishFlowPacket(packetID: 2))))
            #expect(
                rest.contains {
                    if case .publish(let publish) = $0 { return publish.payload == ByteBuffer(string: "early") }
                    return false
                }
            )
            await connection.close()
        }
    }

    @Test func packetsBehindARefusedConnectAreDropped() async throws {
        try await withPasswordBroker { broker in
            let topic = uniqueName("pipe")
            let watcher = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v5,
                extra: ["-u", "alice", "-P", "wonderland"]
            )
            let connection = try await MQTTRawConnection.connect(
                host: "127.0.0.1",
                port: broker.port,
                protocolVersion: .v5
            )
            try await connection.sendRaw(try pipelined(password: "wrong", topic: topic))
            #expect(try await connection.receive() == .connack(ConnAckPacket(reasonCode: .badUserNameOrPassword)))
            #expect(try await connection.receive() == nil)  // closed, nothing else answered

            _ = try await MosquittoClients.publish(
                port: broker.port,
                topic: topic,
                message: "after",
                version: .v5,
                extra: ["-u", "alice", "-P", "wonderland"]
            )
            let messages = try await MosquittoClients.messages(1, from: watcher)
            #expect(messages.map(\.payload) == ["after"])
        }
    }
}
