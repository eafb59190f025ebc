import Broker
import BrokerCore
import Testing

/// ACL enforcement (`acl:`), checked with paho and mosquitto clients.
@Suite(.timeLimit(.minutes(2))) struct AccessTests {
    /// Devices own `devices/<client id>/...` and may subscribe nowhere else.
    static let perDevice: [AccessRule] = [
        AccessRule(.allow, [.publish, .subscribe], topic: "devices/%c/#"),
        AccessRule(.deny, [.subscribe], topic: "#"),
    ]

    private func withACLBroker(_ body: (TestBroker) async throws -> Void) async throws {
        try await withBroker(configure: { $0.accessRules = Self.perDevice }) { broker in
            try await body(broker)
        }
    }

    /// Makes `owner` publish to its own topic and waits until it arrives: anything routed to
    /// `owner` before it (a denied message that leaked) would have arrived first.
    private func expectNothingLeakedTo(_ owner: PahoPuppet, ownerID: String) async throws {
        let marker = "marker-\(uniqueName("m"))"
        _ = try await owner.publish("devices/\(ownerID)/marker", marker, qos: 1)
        let first = try await owner.message()
        #expect(first["payload"]?.string == marker, "a denied message was delivered: \(first)")
    }

    @Test func v5DeviceMayPublishOnlyUnderItsOwnID() async throws {
        try await withACLBroker { broker in
            let (a, b) = (uniqueName("dev-a"), uniqueName("dev-b"))
            let owner = try await PahoPuppet.start(port: broker.port)
            try await owner.connect(clientID: b, version: 5)
            #expect(try await owner.subscribe("devices/\(b)/#", qos: 1) == [1])

            let intruder = try await PahoPuppet.start(port: broker.port)
            try await intruder.connect(clientID: a, version: 5)
            #expect(try await intruder.publish("devices/\(b)/cmd", "take over", qos: 1) == 0x87)
            // paho ignores PUBREC reason codes; mosquitto_pub reports them.
            _ = try await mosquittoPubPrinting(
                "Warning: Publish 1 failed: Not authorized.",
                port: broker.port,
                version: .v5,
                qos: 2,
                topic: "devices/\(b)/cmd",
                extra: ["-i", uniqueName("dev-x")]
            )
            #expect(try await intruder.publish("devices/\(a)/status", "mine", qos: 1) == 0)
            try await expectNothingLeakedTo(owner, ownerID: b)
        }
    }

    @Test func v5DeniedSubscribeGets0x87() async throws {
        try await withACLBroker { broker in
            let a = uniqueName("dev-a")
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: a, version: 5)
            #expect(try await client.subscribe("devices/other/#") == [0x87])
            #expect(try await client.subscribe("#") == [0x87])
            #expect(try await client.subscribe("devices/\(a)/+/x", qos: 2) == [2])
            #expect(try await client.subscribe("$share/g/devices/\(a)/#", qos: 1) == [1])
        }
    }

    @Test func v311DeniedPublishIsDroppedAndTheConnectionKept() async throws {
        try await withACLBroker { broker in
            let (a, b) = (uniqueName("dev-a"), uniqueName("dev-b"))
            let owner = try await PahoPuppet.start(port: broker.port)
            try await owner.connect(clientID: b, version: 4)
            #expect(try await owner.subscribe("devices/\(b)/#", qos: 1) == [1])

            let intruder = try await PahoPuppet.start(port: broker.port)
            try await intruder.connect(clientID: a, version: 4)
            // 3.1.1 cannot refuse a PUBLISH: it is acknowledged and dropped.
            #expect(try await intruder.publish("devices/\(b)/cmd", "take over", qos: 1) == 0)
            #expect(try await intruder.publish("devices/\(b)/cmd", "take over", qos: 2) == 0)
            try await expectNothingLeakedTo(owner, ownerID: b)
            // Still connected: its own topic works.
            #expect(try await intruder.subscribe("devices/\(a)/#", qos: 1) == [1])
            _ = try await intruder.publish("devices/\(a)/status", "mine", qos: 1)
            let echo = try await intruder.message()
            #expect(echo["payload"]?.string == "mine")
        }
    }

    @Test func v311DeniedSubscribeGets0x80() async throws {
        try await withACLBroker { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("dev-a"), version: 4)
            #expect(try await client.subscribe("devices/other/#") == [0x80])
        }
    }

    @Test func mosquittoClientsPublishUnderTheirOwnClientIDOnly() async throws {
        // An observer may read every device's status; devices write only their own topics.
        let rules = [
            AccessRule(.allow, [.publish, .subscribe], topic: "devices/%c/#"),
            AccessRule(.allow, [.subscribe], topic: "devices/+/status"),
            AccessRule(.deny, [.subscribe], topic: "#"),
        ]
        try await withBroker(configure: { $0.accessRules = rules }) { broker in
            let device = uniqueName("dev-c")
            let observer = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["devices/+/status"],
                qos: 1,
                count: 1,
                clientID: uniqueName("observer")
            )
            for version in [MosquittoClients.Version.v311, .v5] {
                // 3.1.1: acknowledged and dropped; v5: PUBACK 0x87. Either way not delivered.
                _ = try await MosquittoClients.publish(
                    port: broker.port,
                    topic: "devices/\(device)/status",
                    message: "forged",
                    version: version,
                    qos: 1,
                    extra: ["-i", uniqueName("dev-x")]
                )
            }
            let own = try await MosquittoClients.publish(
                port: broker.port,
                topic: "devices/\(device)/status",
                message: "online",
                qos: 1,
                extra: ["-i", device]
            )
            #expect(own.status == 0)
            let messages = try await MosquittoClients.messages(1, from: observer)
            #expect(messages.map(\.payload) == ["online"])

            let refused = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["devices/\(device)/secret"],
                version: .v5,
                clientID: uniqueName("observer")
            )
            #expect(refused.lines.contains { $0.contains("received SUBACK") })
            await refused.kill()
        }
    }

    @Test func aWillOnAForeignTopicIsNotSent() async throws {
        try await withACLBroker { broker in
            let (a, b) = (uniqueName("dev-a"), uniqueName("dev-b"))
            let owner = try await PahoPuppet.start(port: broker.port)
            try await owner.connect(clientID: b, version: 5)
            #expect(try await owner.subscribe("devices/\(b)/#", qos: 1) == [1])

            let device = try await PahoPuppet.start(port: broker.port)
            let will: JSONValue = ["topic": .string("devices/\(b)/status"), "payload": "gone", "qos": 1]
            let connack = try await device.connect(clientID: a, version: 5, will: will)
            #expect(connack["reason_code"]?.int == 0)
            try await device.dropConnection()
            try await expectNothingLeakedTo(owner, ownerID: b)
        }
    }
    @Test func denialsAreCountedInSys() async throws {
        let rules = Self.perDevice.dropLast() + [AccessRule(.allow, [.subscribe], topic: "$SYS/broker/acl/#")]
        try await withBroker(configure: {
            $0.accessRules = Array(rules)
            $0.systemTopicsIntervalSeconds = 1
        }) { broker in
            let watcher = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["$SYS/broker/acl/denied/publish"],
                version: .v5
            )
            let intruder = try await PahoPuppet.start(port: broker.port)
            try await intruder.connect(clientID: uniqueName("dev-a"), version: 5)
            #expect(try await intruder.publish("devices/other/x", "no", qos: 1) == 0x87)
            // The counter is published every second; wait for the tick that shows the denial.
            _ = try await watcher.nextLine("publish denials = 1", timeout: .seconds(10)) {
                MosquittoClients.Message(line: $0)?.payload == "1"
            }
        }
    }
    @Test func aSessionResumedUnderAnotherUserNameDoesNotReceiveTheFirstUsersTopics() async throws {
        let rules = [
            AccessRule(.allow, [.subscribe], topic: "users/%u/#"),
            AccessRule(.allow, [.publish], topic: "#"),
        ]
        try await withBroker(configure: { $0.accessRules = rules }) { broker in
            let clientID = uniqueName("shared-device")
            let persistent: JSONValue = ["SessionExpiryInterval": 600]
            let alice = try await PahoPuppet.start(port: broker.port)
            let first = try await alice.connect(
                clientID: clientID,
                version: 5,
                username: "alice",
                password: nil,
                properties: persistent
            )
            #expect(first["reason_code"]?.int == 0)
            #expect(try await alice.subscribe("users/alice/#", qos: 1) == [1])
            try await alice.disconnect()

            let bob = try await PahoPuppet.start(port: broker.port)
            let resumed = try await bob.connect(
                clientID: clientID,
                version: 5,
                username: "bob",
                password: nil,
                cleanStart: false,
                properties: persistent
            )
            #expect(resumed["session_present"]?.bool == true)
            #expect(try await bob.subscribe("users/bob/#", qos: 1) == [1])

            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("publisher"), version: 5)
            #expect(try await publisher.publish("users/alice/secret", "for alice", qos: 1) == 0)
            #expect(try await publisher.publish("users/bob/marker", "for bob", qos: 1) == 0)
            let received = try await bob.message()
            #expect(received["payload"]?.string == "for bob", "alice's message reached bob: \(received)")
        }
    }
}
