import MQTTCodec
import NIOCore
import Testing

@testable import MQTTClient

/// The client against ``ScriptedServer``: behaviour a real broker cannot be made to show on demand.
@Suite("Scripted server")
struct ScriptedServerTests {
    private static func client(
        _ port: Int,
        configure: (inout MQTTClient.Configuration) -> Void = { _ in }
    ) -> MQTTClient {
        var configuration = MQTTClient.Configuration(
            host: "127.0.0.1",
            port: port,
            clientID: "scripted",
            protocolVersion: .v5
        )
        configure(&configuration)
        return MQTTClient(configuration: configuration)
    }

    @Test func serverDisconnectReasonCodeReachesPendingCallsAndMessages() async throws {
        try await ScriptedServer.with { port, connections in
            let client = Self.client(port)
            async let connected = client.connect()
            let connection = try await connections.next()
            try await connection.accept()
            _ = try await connected
            let messages = MessageCollector(client.messages)

            let pending = Task {
                try await client.publish(topic: "t", payload: ByteBuffer(string: "x"), qos: .atLeastOnce)
            }
            guard case .publish = try await connection.receive() else { throw TestFailure("expected PUBLISH") }
            var properties = MQTTProperties()
            properties.reasonString = "maintenance"
            try await connection.send(
                .disconnect(DisconnectPacket(reasonCode: .serverShuttingDown, properties: properties))
            )

            let expected = MQTTClientError(.serverDisconnected, reasonCode: .serverShuttingDown)
            await #expect(throws: expected) { try await pending.value }
            let end = try await messages.waitForEnd()
            #expect(end as? MQTTClientError == expected)
            #expect((end as? MQTTClientError)?.detail == "maintenance")
            #expect(client.disconnectReason?.reasonCode == .serverShuttingDown)
            #expect(try await connection.receive() == nil)
        }
    }

    @Test func unacknowledgedPublishesAreResentWithDupWhenTheSessionResumes() async throws {
        try await ScriptedServer.with { port, connections in
            let client = Self.client(port) {
                $0.cleanStart = false
                $0.sessionExpiryInterval = 600
            }
            async let firstConnect = client.connect()
            let first = try await connections.next()
            #expect(try await first.accept().cleanStart == false)
            _ = try await firstConnect

            let qos1 = Task {
                try await client.publish(topic: "a", payload: ByteBuffer(string: "1"), qos: .atLeastOnce)
            }
            let qos2 = Task {
                try await client.publish(topic: "b", payload: ByteBuffer(string: "2"), qos: .exactlyOnce)
            }
            var received: [PublishPacket] = []
            for _ in 0..<2 {
                guard case .publish(let packet) = try await first.receive() else {
                    throw TestFailure("expected PUBLISH")
                }
                received.append(packet)
            }
            let qos2Packet = try #require(received.first { $0.qos == .exactlyOnce })
            let qos1Packet = try #require(received.first { $0.qos == .atLeastOnce })
            // QoS 2 got as far as PUBREC: the client answers PUBREL, then the network fails.
            try await first.send(.pubrec(PublishFlowPacket(packetID: try #require(qos2Packet.packetID))))
            #expect(try await first.receive() == .pubrel(PublishFlowPacket(packetID: qos2Packet.packetID!)))
            await first.close()
            await #expect(throws: MQTTClientError(.connectionClosed)) { try await qos1.value }
            await #expect(throws: MQTTClientError(.connectionClosed)) { try await qos2.value }

            // Reconnect with the session present: PUBLISH (DUP) for QoS 1, PUBREL for QoS 2
            // (MQTT-4.4.0-1), before anything new.
            try await waitUntil("client saw the close") { !client.isConnected }
            async let secondConnect = client.connect()
            let second = try await connections.next()
            try await second.accept(ConnAckPacket(sessionPresent: true))
            #expect(try await secondConnect.sessionPresent)
            var resent = qos1Packet
            resent.dup = true
            #expect(try await second.receive() == .publish(resent))
            #expect(try await second.receive() == .pubrel(PublishFlowPacket(packetID: qos2Packet.packetID!)))
            try await second.send(.puback(PublishFlowPacket(packetID: qos1Packet.packetID!)))
            try await second.send(.pubcomp(PublishFlowPacket(packetID: qos2Packet.packetID!)))
            try await waitUntil("window empty") { await client.queuedAndInFlight() == 0 }
            try await client.disconnect()
            guard case .disconnect = try await second.receive() else { throw TestFailure("expected DISCONNECT") }
        }
    }

    @Test func incomingTopicAliasesAreResolvedBeforeDelivery() async throws {
        try await ScriptedServer.with { port, connections in
            let client = Self.client(port) { $0.topicAliasMaximum = 5 }
            async let connected = client.connect()
            let connection = try await connections.next()
            #expect(try await connection.accept().properties.topicAliasMaximum == 5)
            _ = try await connected
            let messages = MessageCollector(client.messages)

            var alias = MQTTProperties()
            alias.topicAlias = 3
            try await connection.send(
                .publish(PublishPacket(topic: "site/7/x", payload: ByteBuffer(string: "1"), properties: alias))
            )
            try await connection.send(
                .publish(PublishPacket(topic: "", payload: ByteBuffer(string: "2"), properties: alias))
            )
            let received = try await messages.waitFor(2)
            #expect(received.map(\.topic) == ["site/7/x", "site/7/x"])
            #expect(received.allSatisfy { $0.properties.topicAlias == nil })

            // An alias above our maximum is a protocol error: DISCONNECT 0x94, then close.
            var tooLarge = MQTTProperties()
            tooLarge.topicAlias = 6
            try await connection.send(.publish(PublishPacket(topic: "y", payload: ByteBuffer(), properties: tooLarge)))
            #expect(try await connection.receive() == .disconnect(DisconnectPacket(reasonCode: .topicAliasInvalid)))
            let end = try await messages.waitForEnd()
            #expect(end as? MQTTClientError == MQTTClientError(.protocolError, reasonCode: .topicAliasInvalid))
        }
    }

    @Test func missingPingRespClosesTheConnection() async throws {
        try await ScriptedServer.with { port, connections in
            let client = Self.client(port) {
                $0.keepAlive = 1
                $0.pingTimeout = .milliseconds(500)
            }
            async let connected = client.connect()
            let connection = try await connections.next()
            try await connection.accept()
            _ = try await connected
            let messages = MessageCollector(client.messages)

            #expect(try await connection.receive() == .pingreq)
            // No PINGRESP: the client gives up after the ping timeout.
            #expect(try await connection.receive() == nil)
            let end = try await messages.waitForEnd()
            #expect(end as? MQTTClientError == MQTTClientError(.keepAliveTimeout))
        }
    }

    @Test func incomingQoS2IsDeliveredOnceAcrossADuplicate() async throws {
        try await ScriptedServer.with { port, connections in
            let client = Self.client(port)
            async let connected = client.connect()
            let connection = try await connections.next()
            try await connection.accept()
            _ = try await connected
            let messages = MessageCollector(client.messages)

            let message = PublishPacket(
                topic: "q2",
                payload: ByteBuffer(string: "once"),
                qos: .exactlyOnce,
                packetID: 9
            )
            try await connection.send(.publish(message))
            #expect(try await connection.receive() == .pubrec(PublishFlowPacket(packetID: 9)))
            var duplicate = message
            duplicate.dup = true
            try await connection.send(.publish(duplicate))
            #expect(try await connection.receive() == .pubrec(PublishFlowPacket(packetID: 9)))
            try await connection.send(.pubrel(PublishFlowPacket(packetID: 9)))
            #expect(try await connection.receive() == .pubcomp(PublishFlowPacket(packetID: 9)))
            // A marker proves the duplicate was not delivered in between.
            try await connection.send(.publish(PublishPacket(topic: "marker", payload: ByteBuffer())))
            let received = try await messages.waitFor(2)
            #expect(received.map(\.topic) == ["q2", "marker"])
            try await client.disconnect()
        }
    }
}
