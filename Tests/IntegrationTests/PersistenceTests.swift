import Foundation
import Testing

/// The durable store seen from outside: the real binary is killed with SIGKILL and restarted on
/// the same data directory, and independent clients (mosquitto_pub/sub, paho) check that nothing
/// acknowledged was lost.
@Suite(.serialized) struct PersistenceTests {
    /// Publishes `count` QoS `qos` messages "1"..."count" through one mosquitto_pub and waits
    /// until it exited, i.e. until every message was acknowledged.
    private func publishAcknowledged(port: Int, topic: String, count: Int, qos: Int) async throws {
        let publisher = try PeerProcess(
            Peers.mosquittoPub,
            ["-h", "127.0.0.1", "-p", "\(port)", "-V", "mqttv311", "-q", "\(qos)", "-t", topic, "-l"]
        )
        for index in 1...count { publisher.send("\(index)") }
        publisher.closeInput()
        #expect(try await publisher.waitForExit(timeout: .seconds(30)) == 0)
    }

    /// A persistent mosquitto_sub that subscribed once and went away, leaving its session.
    private func leavePersistentSubscription(port: Int, clientID: String, topic: String, qos: Int) async throws {
        let subscriber = try await MosquittoClients.subscribe(
            port: port,
            topics: [topic],
            qos: qos,
            clientID: clientID,
            cleanSession: false
        )
        await subscriber.kill()
    }

    @Test(arguments: [1, 2])
    func queuedMessagesSurviveKill9InOrder(qos: Int) async throws {
        let data = try TemporaryDirectory("store")
        let clientID = uniqueName("durable")
        let topic = uniqueName("durable/queue")
        let count = 200

        let first = try await TributaryServer.serve(["--data-dir", data.path])
        try await leavePersistentSubscription(port: first.port, clientID: clientID, topic: topic, qos: qos)
        try await publishAcknowledged(port: first.port, topic: topic, count: count, qos: qos)
        try await first.kill9()

        let second = try await TributaryServer.serve(["--data-dir", data.path])
        let subscriber = try PeerProcess.lineBuffered(
            Peers.mosquittoSub,
            [
                "-h", "127.0.0.1", "-p", "\(second.port)", "-V", "mqttv311", "-i", clientID, "-c", "-q", "\(qos)",
                "-t", topic, "-F", #"MSG\t%t\t%q\t%r\t%x\t%C\t%E\t%P\t%R\t%D\t%S"#,
            ]
        )
        let messages = try await MosquittoClients.messages(count, from: subscriber, timeout: .seconds(30))
        #expect(messages.map(\.payload) == (1...count).map(String.init))
        // Nothing beyond the queued messages: a sentinel published now is the very next one.
        try await MosquittoClients.publish(port: second.port, topic: topic, message: "sentinel", qos: qos)
        let next = try await MosquittoClients.messages(1, from: subscriber)
        #expect(next.map(\.payload) == ["sentinel"])
        await subscriber.kill()
        try await second.terminate()
    }

    @Test func retainedMessagesSurviveKill9() async throws {
        let data = try TemporaryDirectory("store")
        let topic = uniqueName("durable/retained")
        let first = try await TributaryServer.serve(["--data-dir", data.path])
        try await MosquittoClients.publish(port: first.port, topic: topic, message: "kept", qos: 1, retain: true)
        try await MosquittoClients.publish(port: first.port, topic: "\(topic)/gone", message: "x", qos: 1, retain: true)
        // An empty retained message clears the topic (MQTT-3.3.1-10), on disk too.
        try await MosquittoClients.publish(port: first.port, topic: "\(topic)/gone", message: "", qos: 1, retain: true)
        try await first.kill9()

        let second = try await TributaryServer.serve(["--data-dir", data.path])
        let subscriber = try await MosquittoClients.subscribe(port: second.port, topics: ["\(topic)/#"], qos: 1)
        try await MosquittoClients.publish(port: second.port, topic: "\(topic)/end", message: "end", qos: 1)
        try await PeerProcess.waitUntil([subscriber], "the end marker") {
            subscriber.lines.compactMap(MosquittoClients.Message.init(line:)).contains { $0.payload == "end" }
        }
        let received = subscriber.lines.compactMap(MosquittoClients.Message.init(line:))
        #expect(received.map(\.payload) == ["kept", "end"])
        #expect(received.first?.retain == true)
        await subscriber.kill()
        try await second.terminate()
    }

    @Test func sessionsThatExpiredWhileTheBrokerWasDownAreGone() async throws {
        let data = try TemporaryDirectory("store")
        let shortLived = uniqueName("short")
        let longLived = uniqueName("long")
        let topic = uniqueName("durable/expiry")
        let first = try await TributaryServer.serve(["--data-dir", data.path])
        for (clientID, expiry) in [(shortLived, 1), (longLived, 3600)] {
            let paho = try await PahoPuppet.start(port: first.port)
            try await paho.connect(
                clientID: clientID,
                cleanStart: false,
                properties: ["SessionExpiryInterval": .number(expiry)]
            )
            try await paho.subscribe(topic, qos: 1)
            try await paho.disconnect()
        }
        let disconnected = ContinuousClock.now
        try await first.kill9()
        // The short session's second runs out while the broker is down (it counts from the
        // disconnect, MQTT-3.1.2-23): the condition waited for is that second, plus the
        // whole-second rounding of the stored times, having passed.
        let expired = disconnected + .milliseconds(2_500)
        _ = await pollUntil(interval: .milliseconds(100)) { ContinuousClock.now >= expired }

        let second = try await TributaryServer.serve(["--data-dir", data.path])
        for (clientID, present) in [(shortLived, false), (longLived, true)] {
            let paho = try await PahoPuppet.start(port: second.port)
            let connack = try await paho.connect(
                clientID: clientID,
                cleanStart: false,
                properties: ["SessionExpiryInterval": 60]
            )
            #expect(connack["session_present"]?.bool == present, "\(clientID)")
        }
        try await second.terminate()
    }

    @Test func aSecondBrokerOnTheSameDataDirectoryIsRefused() async throws {
        let data = try TemporaryDirectory("store")
        let first = try await TributaryServer.serve(["--data-dir", data.path])
        let second = try PeerProcess(
            TributaryProcess.executable,
            ["serve", "--listen", "127.0.0.1:0", "--data-dir", data.path]
        )
        #expect(try await second.waitForExit(timeout: .seconds(30)) != 0)
        #expect(second.lines.contains { $0.contains("in use") })
        try await first.terminate()
    }
}
