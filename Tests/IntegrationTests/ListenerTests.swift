import Broker
import Foundation
import Testing

/// MQTT over TLS, WebSocket and WebSocket over TLS, checked with clients nobody here wrote
/// (Mosquitto's command-line clients, paho-mqtt) and with `openssl`-made certificates.
@Suite(.timeLimit(.minutes(2))) struct ListenerTests {
    // MARK: TLS

    @Test func tlsCarriesMosquittoPublishSubscribe() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        try await withListeners([.tls(certificates.settings()), .tcp]) { _, ports in
            let topic = uniqueName("tls") + "/reading"
            let tls = ["--cafile", certificates.caCertificate]
            let subscriber = try await MosquittoClients.subscribe(
                port: ports[0],
                topics: [topic],
                qos: 1,
                count: 2,
                extra: tls
            )
            let overTLS = try await MosquittoClients.publish(
                port: ports[0],
                topic: topic,
                message: "over tls",
                qos: 1,
                extra: tls
            )
            #expect(overTLS.status == 0, "mosquitto_pub over TLS failed: \(overTLS.output)")
            let overTCP = try await MosquittoClients.publish(port: ports[1], topic: topic, message: "over tcp", qos: 1)
            #expect(overTCP.status == 0, "mosquitto_pub over TCP failed: \(overTCP.output)")
            let messages = try await MosquittoClients.messages(2, from: subscriber)
            #expect(messages.map(\.payload) == ["over tls", "over tcp"])
        }
    }

    @Test func tlsRequiredClientCertificateRefusesClientsWithoutAVerifiedOne() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let settings = certificates.settings(requireClientCertificate: true)
        try await withListeners([.tls(settings)]) { broker, ports in
            let topic = uniqueName("mtls")
            let ca = ["--cafile", certificates.caCertificate]
            let withoutCertificate = try await MosquittoClients.publish(
                port: ports[0],
                topic: topic,
                message: "no certificate",
                qos: 1,
                extra: ca
            )
            #expect(withoutCertificate.status != 0, "accepted without a certificate: \(withoutCertificate.output)")
            let stranger = try await MosquittoClients.publish(
                port: ports[0],
                topic: topic,
                message: "other CA",
                qos: 1,
                extra: ca + ["--cert", certificates.strangerCertificate, "--key", certificates.strangerKey]
            )
            #expect(stranger.status != 0, "accepted a certificate from another CA: \(stranger.output)")

            let client = ca + ["--cert", certificates.clientCertificate, "--key", certificates.clientKey]
            let subscriber = try await MosquittoClients.subscribe(
                port: ports[0],
                topics: [topic],
                qos: 1,
                count: 1,
                extra: client
            )
            let accepted = try await MosquittoClients.publish(
                port: ports[0],
                topic: topic,
                message: "verified",
                qos: 1,
                extra: client
            )
            #expect(accepted.status == 0, "refused a verified certificate: \(accepted.output)")
            #expect(try await MosquittoClients.messages(1, from: subscriber).map(\.payload) == ["verified"])
            _ = broker
        }
    }

    @Test func tlsClientCertificateCommonNameBecomesTheUserName() async throws {
        let certificates = try TestCertificates.make(clientCommonName: "generator-42")
        defer { certificates.remove() }
        let settings = certificates.settings(useCommonNameAsUsername: true)
        try await withListeners([.tls(settings)]) { broker, ports in
            let ca = ["--cafile", certificates.caCertificate]
            let withCertificate = try await MosquittoClients.subscribe(
                port: ports[0],
                topics: [uniqueName("identity")],
                extra: ca + ["--cert", certificates.clientCertificate, "--key", certificates.clientKey]
            )
            let withoutCertificate = try await MosquittoClients.subscribe(
                port: ports[0],
                topics: [uniqueName("anonymous")],
                extra: ca
            )
            let identified = TransportIdentity(
                .tls,
                certificateCommonName: "generator-42",
                authenticatedUsername: "generator-42"
            )
            let seen = await pollUntil {
                let identities = await broker.transportIdentities()
                return identities.contains(identified) && identities.contains(TransportIdentity(.tls))
            }
            let identities = await broker.transportIdentities()
            #expect(seen, "identities: \(identities)")
            _ = (withCertificate, withoutCertificate)
        }
    }

    @Test func badTLSFilesStopTheStartNamingListenerAndFile() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let notPEM = certificates.path("garbage.pem")
        try "not a key".write(toFile: notPEM, atomically: true, encoding: .utf8)

        func startError(_ settings: BrokerConfiguration.TLSSettings) async -> ListenerError? {
            do {
                try await withListeners([.tcp, .tls(settings)]) { _, _ in }
                return nil
            } catch {
                return error as? ListenerError
            }
        }

        var missing = certificates.settings()
        missing.certificatePath = certificates.path("missing.pem")
        let missingError = await startError(missing)
        #expect(missingError?.code == .certificateUnreadable)
        #expect(missingError?.file == missing.certificatePath)
        #expect(missingError?.listener.hasPrefix("tls 127.0.0.1:") == true)

        var garbageKey = certificates.settings()
        garbageKey.privateKeyPath = notPEM
        let garbageError = await startError(garbageKey)
        #expect(garbageError?.code == .privateKeyUnreadable)
        #expect(garbageError?.file == notPEM)

        var garbageCA = certificates.settings()
        garbageCA.certificateAuthorityPath = notPEM
        #expect(await startError(garbageCA)?.code == .certificateUnreadable)

        var wrongKey = certificates.settings()
        wrongKey.privateKeyPath = certificates.unrelatedKey
        let wrongKeyError = await startError(wrongKey)
        #expect(wrongKeyError?.code == .keyDoesNotMatchCertificate)
        #expect(wrongKeyError?.file == certificates.unrelatedKey)

        let withoutCA = certificates.settings(withCertificateAuthority: false, requireClientCertificate: true)
        #expect(await startError(withoutCA)?.code == .certificateAuthorityRequired)
    }

    // MARK: WebSocket

    @Test func webSocketCarriesPahoPublishSubscribe() async throws {
        try await withListeners([.webSocket(path: "/mqtt"), .tcp]) { _, ports in
            let topic = uniqueName("ws") + "/reading"
            let subscriber = try await PahoPuppet.start(port: ports[0])
            let connack = try await subscriber.connect(clientID: uniqueName("ws-sub"), transport: .webSocket())
            #expect(connack["reason_code"]?.int == 0)
            #expect(try await subscriber.subscribe(topic, qos: 1) == [1])
            let tcpSubscriber = try await MosquittoClients.subscribe(port: ports[1], topics: [topic], qos: 1, count: 1)

            let publisher = try await PahoPuppet.start(port: ports[0])
            try await publisher.connect(clientID: uniqueName("ws-pub"), version: 4, transport: .webSocket())
            #expect(try await publisher.publish(topic, "over websocket", qos: 1) == 0)

            let message = try await subscriber.message()
            #expect(message["payload"]?.string == "over websocket")
            #expect(message["qos"]?.int == 1)
            #expect(try await MosquittoClients.messages(1, from: tcpSubscriber).map(\.payload) == ["over websocket"])

            // Larger than NIO's default 16 KiB frame limit: paho sends it as one frame.
            let large = String(repeating: "x", count: 200_000)
            #expect(try await publisher.publish(topic, large, qos: 1) == 0)
            let received = try await subscriber.message()
            #expect(received["payload"]?.string?.count == large.count)
        }
    }

    @Test func webSocketAnswersOnlyItsPathAndOnlyMQTT() async throws {
        try await withListeners([.webSocket(path: "/mqtt")]) { _, ports in
            let otherPath = try RawWebSocket(port: ports[0]).upgrade(path: "/other", subprotocols: ["mqtt"])
            #expect(otherPath.hasPrefix("HTTP/1.1 404"), "\(otherPath)")

            let chat = try RawWebSocket(port: ports[0]).upgrade(path: "/mqtt", subprotocols: ["chat"])
            #expect(chat.hasPrefix("HTTP/1.1 400"), "\(chat)")

            let none = try RawWebSocket(port: ports[0]).upgrade(path: "/mqtt", subprotocols: [])
            #expect(none.hasPrefix("HTTP/1.1 400"), "\(none)")

            let legacy = try RawWebSocket(port: ports[0]).upgrade(
                path: "/mqtt?x=1",
                subprotocols: ["chat", "mqttv3.1"]
            )
            #expect(legacy.hasPrefix("HTTP/1.1 101"), "\(legacy)")
            #expect(legacy.lowercased().contains("sec-websocket-protocol: mqttv3.1"), "\(legacy)")

            let both = try RawWebSocket(port: ports[0]).upgrade(path: "/mqtt", subprotocols: ["mqttv3.1", "mqtt"])
            #expect(both.lowercased().contains("sec-websocket-protocol: mqtt\r"), "\(both)")
        }
    }

    @Test func webSocketReassemblesPacketsAcrossFrames() async throws {
        try await withListeners([.webSocket(path: "/mqtt"), .tcp]) { _, ports in
            let topic = uniqueName("frames")
            let subscriber = try await MosquittoClients.subscribe(port: ports[1], topics: [topic], count: 2)

            let socket = try RawWebSocket(port: ports[0])
            let head = try socket.upgrade(path: "/mqtt", subprotocols: ["mqtt"])
            #expect(head.hasPrefix("HTTP/1.1 101"), "\(head)")
            let connect = RawMQTT.connect(clientID: uniqueName("raw"))
            let first = RawMQTT.publish(topic: topic, payload: "first message")
            let second = RawMQTT.publish(topic: topic, payload: "second message")
            // One frame holding CONNECT and the start of a PUBLISH; then a fragmented message
            // (binary + continuation) holding the rest of it and all of the next PUBLISH.
            try socket.sendFrame(opcode: 0x2, connect + first.prefix(5))
            try socket.sendFrame(opcode: 0x2, fin: false, Array(first.dropFirst(5)) + second.prefix(3))
            try socket.sendFrame(opcode: 0x0, fin: true, Array(second.dropFirst(3)))

            let connack = try socket.readFrame()
            #expect(connack.opcode == 0x2)
            #expect(connack.payload == [0x20, 0x02, 0x00, 0x00])
            let messages = try await MosquittoClients.messages(2, from: subscriber)
            #expect(messages.map(\.payload) == ["first message", "second message"])
        }
    }

    @Test func webSocketTextFrameClosesTheConnection() async throws {
        try await withListeners([.webSocket(path: "/mqtt")]) { broker, ports in
            let socket = try RawWebSocket(port: ports[0])
            _ = try socket.upgrade(path: "/mqtt", subprotocols: ["mqtt"])
            try socket.sendFrame(opcode: 0x2, RawMQTT.connect(clientID: uniqueName("text")))
            #expect(try socket.readFrame().payload == [0x20, 0x02, 0x00, 0x00])
            try socket.sendFrame(opcode: 0x1, Array("hello".utf8))
            let close = try socket.readFrame()
            #expect(close.opcode == 0x8)
            #expect(close.payload.prefix(2) == [0x03, 0xEB])  // 1003: unacceptable data
            #expect(socket.readsEndOfFile())
            #expect(await pollUntil { broker.connectionCount == 0 })
        }
    }

    @Test func webSocketTLSCarriesPahoPublishSubscribe() async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let settings = certificates.settings(useCommonNameAsUsername: true)
        let kind = BrokerConfiguration.Listener.Kind.webSocketTLS(settings, path: "/mqtt")
        try await withListeners([kind]) { broker, ports in
            let topic = uniqueName("wss")
            let subscriber = try await PahoPuppet.start(port: ports[0])
            let connack = try await subscriber.connect(
                clientID: uniqueName("wss-sub"),
                transport: .webSocketTLS(
                    ca: certificates.caCertificate,
                    certificate: certificates.clientCertificate,
                    key: certificates.clientKey
                )
            )
            #expect(connack["reason_code"]?.int == 0)
            #expect(try await subscriber.subscribe(topic, qos: 1) == [1])
            let publisher = try await PahoPuppet.start(port: ports[0])
            try await publisher.connect(
                clientID: uniqueName("wss-pub"),
                transport: .webSocketTLS(ca: certificates.caCertificate)
            )
            #expect(try await publisher.publish(topic, "over wss", qos: 2) == 0)
            #expect(try await subscriber.message()["payload"]?.string == "over wss")

            let identities = await broker.transportIdentities()
            let subscriberIdentity = TransportIdentity(
                .webSocketTLS,
                certificateCommonName: "device-7",
                authenticatedUsername: "device-7"
            )
            #expect(identities.contains(subscriberIdentity), "\(identities)")
            #expect(identities.contains(TransportIdentity(.webSocketTLS)), "\(identities)")
        }
    }

    // MARK: Connections that never get to MQTT

    @Test(arguments: ["tls", "ws"])
    func connectionsThatNeverFinishTheirSetupAreClosed(kind: String) async throws {
        let certificates = try TestCertificates.make()
        defer { certificates.remove() }
        let listener: BrokerConfiguration.Listener.Kind =
            kind == "tls" ? .tls(certificates.settings()) : .webSocket(path: "/mqtt")
        try await withListeners([listener], configure: { $0.connectTimeoutSeconds = 1 }) { _, ports in
            // Connects, then sends nothing: no TLS handshake, no HTTP request.
            let socket = try RawWebSocket(port: ports[0])
            #expect(socket.readsEndOfFile())
        }
    }
}
