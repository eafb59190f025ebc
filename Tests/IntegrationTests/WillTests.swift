import Testing

/// Last Will (MQTT 5.0 §3.1.2.5, §3.1.3.2): published on abnormal close, not on DISCONNECT.
@Suite(.timeLimit(.minutes(2))) struct WillTests {
    private func willSpec(_ topic: String, delay: Int? = nil) -> JSONValue {
        var will: [String: JSONValue] = ["topic": .string(topic), "payload": "offline", "qos": 1]
        if let delay { will["properties"] = ["WillDelayInterval": .number(delay)] }
        return .object(will)
    }

    @Test(arguments: [4, 5])
    func willIsPublishedWhenTheConnectionDrops(version: Int) async throws {
        try await withBroker { broker in
            let topic = uniqueName("device") + "/status"
            let watcher = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v5,
                qos: 1,
                count: 1
            )
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(clientID: uniqueName("dev"), version: version, will: willSpec(topic))
            try await device.dropConnection()
            let message = try await MosquittoClients.messages(1, from: watcher)
            #expect(message.first?.payload == "offline")
            #expect(message.first?.qos == 1)
        }
    }

    @Test func mosquittoSubKilledHardPublishesItsWill() async throws {
        try await withBroker { broker in
            let topic = uniqueName("will")
            let watcher = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: [topic],
                version: .v311,
                count: 1
            )
            let device = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["unused/\(topic)"],
                version: .v311,
                extra: ["--will-topic", topic, "--will-payload", "gone", "--will-qos", "1"]
            )
            await device.kill()
            #expect(try await MosquittoClients.messages(1, from: watcher).first?.payload == "gone")
        }
    }

    @Test(arguments: [4, 5])
    func normalDisconnectDiscardsTheWill(version: Int) async throws {
        try await withBroker { broker in
            let topic = uniqueName("quiet")
            let watcher = try await PahoPuppet.start(port: broker.port)
            try await watcher.connect(clientID: uniqueName("w"))
            try await watcher.subscribe("\(topic)/#", qos: 1)
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(clientID: uniqueName("dev"), version: version, will: willSpec("\(topic)/status"))
            try await device.disconnect()
            try await watcher.publish("\(topic)/marker", "marker", qos: 1)
            // MQTT-3.14.4-3: only the marker arrives.
            #expect(try await watcher.message()["topic"]?.string == "\(topic)/marker")
            #expect(watcher.events("message").count == 1)
        }
    }

    @Test func disconnectWithWillMessageReasonPublishesIt() async throws {
        try await withBroker { broker in
            let topic = uniqueName("asked")
            let watcher = try await PahoPuppet.start(port: broker.port)
            try await watcher.connect(clientID: uniqueName("w"))
            try await watcher.subscribe(topic, qos: 1)
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(clientID: uniqueName("dev"), will: willSpec(topic))
            try await device.disconnect(reasonCode: 0x04)
            #expect(try await watcher.message()["payload"]?.string == "offline")
        }
    }

    @Test func delayedWillIsDroppedWhenTheClientReturnsInTime() async throws {
        try await withBroker { broker in
            let topic = uniqueName("flaky")
            let clientID = uniqueName("dev")
            let watcher = try await PahoPuppet.start(port: broker.port)
            try await watcher.connect(clientID: uniqueName("w"))
            try await watcher.subscribe("\(topic)/#", qos: 1)
            let device = try await PahoPuppet.start(port: broker.port)
            let session: JSONValue = ["SessionExpiryInterval": 300]
            try await device.connect(
                clientID: clientID,
                cleanStart: false,
                properties: session,
                will: willSpec("\(topic)/status", delay: 30)
            )
            try await device.dropConnection()
            let back = try await PahoPuppet.start(port: broker.port)
            #expect(
                try await back.connect(clientID: clientID, cleanStart: false, properties: session)["session_present"]?
                    .bool == true
            )
            try await watcher.publish("\(topic)/marker", "marker", qos: 1)
            #expect(try await watcher.message()["topic"]?.string == "\(topic)/marker")
            #expect(watcher.events("message").count == 1)
        }
    }

    @Test func delayedWillIsPublishedAfterItsDelay() async throws {
        try await withBroker { broker in
            let topic = uniqueName("late")
            let watcher = try await PahoPuppet.start(port: broker.port)
            try await watcher.connect(clientID: uniqueName("w"))
            try await watcher.subscribe("\(topic)/#", qos: 1)
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(
                clientID: uniqueName("dev"),
                cleanStart: false,
                properties: ["SessionExpiryInterval": 300],
                will: willSpec("\(topic)/status", delay: 2)
            )
            try await device.dropConnection()
            // Published after the drop, the marker still arrives before the Will: the Will waits.
            try await watcher.publish("\(topic)/marker", "marker", qos: 1)
            #expect(try await watcher.message()["topic"]?.string == "\(topic)/marker")
            let will = try await watcher.message(timeout: .seconds(15))
            #expect(will["topic"]?.string == "\(topic)/status")
            #expect(will["payload"]?.string == "offline")
        }
    }

    @Test func sessionEndBeforeTheWillDelayPublishesTheWillThen() async throws {
        try await withBroker { broker in
            let topic = uniqueName("ends")
            let watcher = try await PahoPuppet.start(port: broker.port)
            try await watcher.connect(clientID: uniqueName("w"))
            try await watcher.subscribe(topic, qos: 1)
            let device = try await PahoPuppet.start(port: broker.port)
            // Session expiry 0: the session ends at once, so a 60 s delay does not hold the Will.
            try await device.connect(clientID: uniqueName("dev"), will: willSpec(topic, delay: 60))
            try await device.dropConnection()
            #expect(try await watcher.message(timeout: .seconds(5))["payload"]?.string == "offline")
        }
    }

    @Test func takenOverConnectionPublishesAWillWithoutDelay() async throws {
        try await withBroker { broker in
            let topic = uniqueName("takeover")
            let clientID = uniqueName("dev")
            let watcher = try await PahoPuppet.start(port: broker.port)
            try await watcher.connect(clientID: uniqueName("w"))
            try await watcher.subscribe(topic, qos: 1)
            let first = try await PahoPuppet.start(port: broker.port)
            try await first.connect(clientID: clientID, will: willSpec(topic))
            let second = try await PahoPuppet.start(port: broker.port)
            try await second.connect(clientID: clientID)
            #expect(try await watcher.message()["payload"]?.string == "offline")
        }
    }
}
