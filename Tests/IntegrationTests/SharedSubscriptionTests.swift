import Testing

/// `$share/{group}/{filter}` (MQTT 5.0 §4.8.2): each message goes to one member of the group.
@Suite(.timeLimit(.minutes(2))) struct SharedSubscriptionTests {
    @Test func eachMessageGoesToExactlyOneMember() async throws {
        try await withBroker { broker in
            let topic = uniqueName("work")
            let filter = "$share/workers/\(topic)"
            let members = [
                try await MosquittoClients.subscribe(port: broker.port, topics: [filter], version: .v5, qos: 1),
                try await MosquittoClients.subscribe(port: broker.port, topics: [filter], version: .v5, qos: 1),
            ]
            for index in 1...20 {
                try await MosquittoClients.publish(
                    port: broker.port,
                    topic: topic,
                    message: "job \(index)",
                    version: .v5,
                    qos: 1
                )
            }
            let received: @Sendable () -> [[String]] = {
                members.map { $0.lines.compactMap(MosquittoClients.Message.init(line:)).map(\.payload) }
            }
            try await PeerProcess.waitUntil(members, "20 jobs across the group") { received().joined().count >= 20 }
            let perMember = received()
            let all = perMember.flatMap { $0 }
            #expect(all.count == 20)
            #expect(Set(all) == Set((1...20).map { "job \($0)" }))
            // Round-robin between online members: both get work.
            #expect(perMember.allSatisfy { !$0.isEmpty })
        }
    }

    @Test func aMemberWithBothSharedAndNormalSubscriptionGetsTwoCopies() async throws {
        try await withBroker { broker in
            let topic = uniqueName("both")
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            try await client.subscribe("$share/g/\(topic)", qos: 1)
            try await client.subscribe(topic, qos: 1)
            try await client.publish(topic, "twice", qos: 1)
            _ = try await client.message()
            _ = try await client.message()
            #expect(client.events("message").count == 2)
        }
    }

    @Test func unacknowledgedMessageGoesToAnotherMemberWhenTheSessionEnds() async throws {
        try await withBroker { broker in
            let topic = uniqueName("reroute")
            let filter = "$share/g/\(topic)"
            let quitter = try await PahoPuppet.start(port: broker.port)
            try await quitter.connect(clientID: uniqueName("quitter"), manualAck: true)
            try await quitter.subscribe(filter, qos: 1)

            let publisher = try await PahoPuppet.start(port: broker.port)
            try await publisher.connect(clientID: uniqueName("pub"))
            try await publisher.publish(topic, "orphan", qos: 1)
            #expect(try await quitter.message()["payload"]?.string == "orphan")

            let stayer = try await PahoPuppet.start(port: broker.port)
            try await stayer.connect(clientID: uniqueName("stayer"))
            try await stayer.subscribe(filter, qos: 1)
            // The quitter's session (expiry 0) ends with its connection, its message unacknowledged.
            try await quitter.dropConnection()
            let rerouted = try await stayer.message()
            #expect(rerouted["payload"]?.string == "orphan")
        }
    }

    @Test func noLocalOnASharedSubscriptionIsAProtocolError() async throws {
        try await withBroker { broker in
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("c"))
            client.command(["cmd": "subscribe", "topic": "$share/g/x", "qos": 1, "no_local": true])
            // MQTT-3.8.3-4 → DISCONNECT 0x82.
            #expect(try await client.next("disconnect")["reason_code"]?.int == 0x82)
        }
    }
}
