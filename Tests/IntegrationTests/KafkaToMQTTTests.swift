import Bridge
import Broker
import Foundation
import KafkaClient
import Logging
import MQTTCodec
import NIOCore
import Synchronization
import Testing

/// Kafka → MQTT through tansu, with independent peers on both sides: kcat (librdkafka 2.16)
/// writes the records, mosquitto_sub and paho (v5) receive the messages.
@Suite(.serialized) struct KafkaToMQTTTests {
    /// Dead letters the bridge handed over.
    private final class DeadLetters: Sendable {
        let letters = Mutex<[KafkaToMQTTDeadLetter]>([])
        var all: [KafkaToMQTTDeadLetter] { letters.withLock { $0 } }
    }

    /// A tansu with `topic`, a broker, and a running bridge for `settings`; all stopped when
    /// `body` returns.
    private func withKafkaToMQTT<T: Sendable>(
        topic: String,
        alsoCreating moreTopics: [String] = [],
        partitions: Int32 = 1,
        settings: KafkaToMQTTSettings,
        deadLetters: DeadLetters? = nil,
        configure: (inout BrokerConfiguration) -> Void = { _ in },
        _ body: (TansuBroker, TestBroker, KafkaToMQTTBridge) async throws -> T
    ) async throws -> T {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let client = KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        let admin = try KafkaClusterClient(configuration: client)
        defer { admin.shutdown() }
        for name in [topic] + moreTopics {
            try await admin.createTopic(name, partitions: partitions)
        }
        let broker = try await TestBroker.start(configure: configure)
        var logger = Logger(label: "test.kafka-to-mqtt")
        logger.logLevel = .critical
        var hook: (@Sendable (KafkaToMQTTDeadLetter) async -> Void)?
        if let deadLetters {
            hook = { letter in deadLetters.letters.withLock { $0.append(letter) } }
        }
        let bridge = try KafkaToMQTTBridge(
            settings: settings,
            client: client,
            destination: broker.broker,
            deadLetter: hook,
            logger: logger
        )
        let running = Task { try await bridge.run() }
        do {
            let result = try await body(tansu, broker, bridge)
            running.cancel()
            _ = try? await running.value
            try await broker.stop()
            return result
        } catch {
            running.cancel()
            _ = try? await running.value
            try? await broker.stop()
            throw error
        }
    }

    private func settings(
        _ topic: String,
        mqttTopic: String,
        qos: QoS = .atLeastOnce,
        contentType: String? = nil,
        headers: [String] = [],
        expiry: UInt32? = nil
    ) -> KafkaToMQTTSettings {
        KafkaToMQTTSettings(
            name: "commands",
            cluster: "main",
            topics: .list([topic]),
            groupID: uniqueName("group"),
            mqttTopic: mqttTopic,
            qos: qos,
            contentType: contentType,
            userPropertiesFromHeaders: headers,
            messageExpirySeconds: expiry,
            commitInterval: .milliseconds(20)
        )
    }

    /// Writes `lines` (`KEY:VALUE`) to `partition` of `topic` with kcat, each with `headers`.
    private func produce(
        _ tansu: TansuBroker,
        topic: String,
        partition: Int = 0,
        lines: [String],
        headers: [String] = []
    ) async throws {
        var arguments = ["-b", tansu.bootstrap, "-P", "-t", topic, "-p", "\(partition)", "-K", ":"]
        for header in headers { arguments += ["-H", header] }
        let kcat = try PeerProcess(Peers.repositoryRoot.appendingPathComponent("scripts/kcat").path, arguments)
        for line in lines { kcat.send(line) }
        kcat.closeInput()
        #expect(try await kcat.waitForExit(timeout: .seconds(30)) == 0, "\(kcat.lines)")
    }

    private func committed(_ bridge: KafkaToMQTTBridge, partition: Int32 = 0) -> Int64? {
        bridge.statistics.partitions.first { $0.partition == partition }?.committedOffset
    }

    @Test func recordsReachMosquittoAndPahoOnTheTemplatedTopicWithQoSAndProperties() async throws {
        let topic = uniqueName("commands")
        let mapping = settings(
            topic,
            mqttTopic: "site/${key}/cmd/${header.kind}",
            contentType: "text/plain",
            headers: ["trace"],
            expiry: 300
        )
        try await withKafkaToMQTT(topic: topic, settings: mapping) { tansu, broker, bridge in
            let mosquitto = try await MosquittoClients.subscribe(
                port: broker.port,
                topics: ["site/+/cmd/#"],
                version: .v5,
                qos: 2
            )
            let paho = try await PahoPuppet.start(port: broker.port)
            try await paho.connect(clientID: uniqueName("paho"))
            try await paho.subscribe("site/42/cmd/#", qos: 1)

            try await produce(
                tansu,
                topic: topic,
                lines: ["42:start", "43:stop", "42:status"],
                headers: ["kind=engine", "trace=t-1", "secret=s"]
            )

            let received = try await MosquittoClients.messages(3, from: mosquitto, timeout: .seconds(40))
            #expect(received.map(\.topic) == ["site/42/cmd/engine", "site/43/cmd/engine", "site/42/cmd/engine"])
            #expect(received.map(\.payload) == ["start", "stop", "status"])
            #expect(received.allSatisfy { $0.qos == 1 && !$0.retain })
            #expect(received.allSatisfy { $0.contentType == "text/plain" })
            #expect(received.allSatisfy { $0.userProperties.contains("t-1") && !$0.userProperties.contains("secret") })
            #expect(received.allSatisfy { (Int($0.messageExpiry) ?? 0) > 0 && (Int($0.messageExpiry) ?? 0) <= 300 })

            let first = try await paho.message()
            let second = try await paho.message()
            #expect([first["payload"]?.string, second["payload"]?.string] == ["start", "status"])
            #expect(first["topic"]?.string == "site/42/cmd/engine")
            #expect(first["qos"]?.int == 1)
            #expect(first["properties"]?["ContentType"]?.string == "text/plain")
            #expect(first["properties"]?["UserProperty"] == [["trace", "t-1"]])
            #expect((first["properties"]?["MessageExpiryInterval"]?.int ?? 0) > 0)

            // Every record was handed off, so all three offsets get committed.
            #expect(await pollUntil { committed(bridge) == 3 })
            let statistics = bridge.statistics
            #expect(statistics.consumed == 3)
            #expect(statistics.delivered == 3)
            #expect(statistics.deadLettered == 0)
            #expect(statistics.inFlight == 0)
        }
    }

    @Test func aPersistentSessionOfflineDuringTheWriteGetsTheRecordsOnReconnect() async throws {
        let topic = uniqueName("commands")
        let data = try TemporaryDirectory("k2m")
        let mapping = settings(topic, mqttTopic: "dev/${key}/cmd")
        try await withKafkaToMQTT(
            topic: topic,
            settings: mapping,
            configure: { $0.dataDirectory = data.path }
        ) { tansu, broker, bridge in
            let clientID = uniqueName("dev")
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(clientID: clientID, properties: ["SessionExpiryInterval": 3600])
            try await device.subscribe("dev/7/cmd", qos: 1)
            try await device.disconnect()

            try await produce(tansu, topic: topic, lines: (1...5).map { "7:seq-\($0)" })
            // Queued durably in the offline session: handed off, so committed without the device.
            #expect(await pollUntil(timeout: .seconds(30)) { committed(bridge) == 5 })
            #expect(bridge.statistics.delivered == 5)

            let back = try await PahoPuppet.start(port: broker.port)
            let connack = try await back.connect(
                clientID: clientID,
                cleanStart: false,
                properties: ["SessionExpiryInterval": 3600]
            )
            #expect(connack["session_present"]?.bool == true)
            var payloads: [String] = []
            for _ in 1...5 { payloads.append(try await back.message()["payload"]?.string ?? "") }
            #expect(payloads == (1...5).map { "seq-\($0)" })
        }
    }

    /// A QoS 1 delivery waits for its PUBACK; a session that ends before acknowledging counts as
    /// handed off (delivered best effort to a session that no longer exists).
    @Test func anUnacknowledgedDeliveryIsCommittedOnceItsCleanSessionEnds() async throws {
        let topic = uniqueName("commands")
        let mapping = settings(topic, mqttTopic: "dev/${key}/cmd")
        try await withKafkaToMQTT(topic: topic, settings: mapping) { tansu, broker, bridge in
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(clientID: uniqueName("dev"), manualAck: true)
            try await device.subscribe("dev/7/cmd", qos: 1)
            try await produce(tansu, topic: topic, lines: ["7:reboot"])
            let message = try await device.message(timeout: .seconds(30))
            #expect(message["payload"]?.string == "reboot")
            #expect(bridge.statistics.inFlight == 1)
            #expect(committed(bridge) == nil)
            try await device.dropConnection()
            #expect(await pollUntil { committed(bridge) == 1 })
            #expect(bridge.statistics.delivered == 1)
        }
    }

    /// An online persistent session with a store takes a QoS 1 delivery once it is durable in
    /// its queue: the commit does not wait for the device, and the unacknowledged message is sent
    /// again (DUP) when the device comes back.
    @Test func aStoredSessionTakesTheDeliveryWhenItIsDurableNotAtPuback() async throws {
        let topic = uniqueName("commands")
        let data = try TemporaryDirectory("k2m-stored")
        let mapping = settings(topic, mqttTopic: "dev/${key}/cmd")
        try await withKafkaToMQTT(
            topic: topic,
            settings: mapping,
            configure: { $0.dataDirectory = data.path }
        ) { tansu, broker, bridge in
            let clientID = uniqueName("dev")
            let device = try await PahoPuppet.start(port: broker.port)
            try await device.connect(clientID: clientID, properties: ["SessionExpiryInterval": 3600], manualAck: true)
            try await device.subscribe("dev/7/cmd", qos: 1)
            try await produce(tansu, topic: topic, lines: ["7:reboot"])
            let first = try await device.message(timeout: .seconds(30))
            #expect(first["payload"]?.string == "reboot")
            #expect(await pollUntil { committed(bridge) == 1 })  // never acknowledged
            try await device.dropConnection()

            let back = try await PahoPuppet.start(port: broker.port)
            try await back.connect(clientID: clientID, cleanStart: false, properties: ["SessionExpiryInterval": 3600])
            let again = try await back.message()
            #expect(again["payload"]?.string == "reboot")
            #expect(again["dup"]?.bool == true)
        }
    }

    /// A shared-subscription delivery whose member goes away before acknowledging moves to the
    /// other member (MQTT 5.0 §4.8.2); the offset waits for that member's PUBACK.
    @Test func aSharedDeliveryMovesToTheOtherMemberAndIsCommittedAtItsPuback() async throws {
        let topic = uniqueName("commands")
        let mapping = settings(topic, mqttTopic: "dev/${key}/cmd")
        try await withKafkaToMQTT(topic: topic, settings: mapping) { tansu, broker, bridge in
            var members: [PahoPuppet] = []
            for _ in 0..<2 {
                let member = try await PahoPuppet.start(port: broker.port)
                try await member.connect(clientID: uniqueName("worker"), manualAck: true)
                try await member.subscribe("$share/workers/dev/+/cmd", qos: 1)
                members.append(member)
            }
            try await produce(tansu, topic: topic, lines: ["7:job"])
            #expect(await pollUntil(timeout: .seconds(30)) { members.contains { !$0.events("message").isEmpty } })
            let first = try #require(members.firstIndex { !$0.events("message").isEmpty })
            let other = members[1 - first]
            #expect(committed(bridge) == nil)
            try await members[first].dropConnection()

            let moved = try await other.message()
            #expect(moved["payload"]?.string == "job")
            #expect(committed(bridge) == nil)  // the new member has not acknowledged yet
            other.ack(mid: moved["mid"]?.int ?? 0, qos: 1)
            #expect(await pollUntil { committed(bridge) == 1 })
        }
    }

    @Test func aRecordWithoutATopicOrWithoutASubscriberIsCountedAndDeadLettered() async throws {
        let topic = uniqueName("commands")
        let letters = DeadLetters()
        let mapping = settings(topic, mqttTopic: "dev/${key}/cmd", qos: .atMostOnce)
        try await withKafkaToMQTT(topic: topic, settings: mapping, deadLetters: letters) { tansu, broker, bridge in
            let subscriber = try await MosquittoClients.subscribe(port: broker.port, topics: ["dev/1/cmd"])
            // A wildcard in the key makes no topic name; nobody subscribes to dev/2/cmd.
            try await produce(tansu, topic: topic, lines: ["1:first", "bad/#:x", "2:nobody", "1:last"])
            let received = try await MosquittoClients.messages(2, from: subscriber, timeout: .seconds(40))
            #expect(received.map(\.payload) == ["first", "last"])
            #expect(await pollUntil { committed(bridge) == 4 })
            let statistics = bridge.statistics
            #expect(statistics.consumed == 4)
            #expect(statistics.delivered == 2)
            #expect(statistics.invalidTopic == 1)
            #expect(statistics.noSubscriber == 1)
            #expect(letters.all.map(\.reason) == [.invalidTopic, .noSubscriber])
            #expect(letters.all.map(\.record.offset) == [1, 2])
        }
    }

    @Test func aRetainedQoS2RecordIsHandedOffAtPubrecAndStaysForLateSubscribers() async throws {
        let topic = uniqueName("status")
        var mapping = settings(topic, mqttTopic: "status/${key}", qos: .exactlyOnce)
        mapping.retain = true
        try await withKafkaToMQTT(topic: topic, settings: mapping) { tansu, broker, bridge in
            let paho = try await PahoPuppet.start(port: broker.port)
            try await paho.connect(clientID: uniqueName("paho"))
            try await paho.subscribe("status/#", qos: 2)
            try await produce(tansu, topic: topic, lines: ["g7:running"])
            let message = try await paho.message(timeout: .seconds(30))
            #expect(message["qos"]?.int == 2)
            #expect(message["payload"]?.string == "running")
            #expect(await pollUntil { committed(bridge) == 1 })

            let late = try await MosquittoClients.subscribe(port: broker.port, topics: ["status/+"], qos: 1)
            let retained = try await MosquittoClients.messages(1, from: late)
            #expect(retained.map(\.topic) == ["status/g7"])
            #expect(retained.first?.retain == true)
            #expect(retained.first?.payload == "running")
        }
    }

    @Test func aTopicPatternConsumesEveryMatchingTopic() async throws {
        let suffix = uniqueName("p")
        let matching = ["pat-a-\(suffix)", "pat-b-\(suffix)"]
        let other = "other-\(suffix)"
        let mapping = KafkaToMQTTSettings(
            name: "pattern",
            cluster: "main",
            topics: .pattern("pat-.*-\(suffix)"),
            groupID: uniqueName("group"),
            mqttTopic: "p/${topic}/${key}",
            commitInterval: .milliseconds(20)
        )
        try await withKafkaToMQTT(topic: other, alsoCreating: matching, settings: mapping) { tansu, broker, bridge in
            let subscriber = try await MosquittoClients.subscribe(port: broker.port, topics: ["p/#"], qos: 1)
            for topic in matching + [other] {
                try await produce(tansu, topic: topic, lines: ["k:from-\(topic)"])
            }
            let received = try await MosquittoClients.messages(2, from: subscriber, timeout: .seconds(40))
            #expect(Set(received.map(\.topic)) == Set(matching.map { "p/\($0)/k" }))
            #expect(await pollUntil { bridge.statistics.partitions.compactMap(\.committedOffset) == [1, 1] })
            #expect(bridge.statistics.consumed == 2)
        }
    }

    /// The real binary with a data directory keeps what reached nobody in the store's dead
    /// letters (`tributary dead-letters`), and still commits past it.
    @Test func recordsThatReachNobodyAreKeptInTheStoresDeadLetters() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let topic = uniqueName("commands")
        let admin = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { admin.shutdown() }
        try await admin.createTopic(topic, partitions: 1)
        let data = try TemporaryDirectory("k2m-dead")
        let config = "\(data.path)/tributary.yaml"
        try """
        sys-interval: 1
        auth: { allow-anonymous: true }
        kafka:
          clusters: [{ name: main, bootstrap: ["\(tansu.bootstrap)"] }]
          kafka-to-mqtt:
            - { name: dl, kafka-topics: [\(topic)], mqtt-topic: "d/${key}", commit-interval-ms: 20 }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let store = "\(data.path)/store"
        let server = try await TributaryServer.serve(["--config", config, "--data-dir", store])
        defer { Task { try? await server.terminate() } }
        try await produce(tansu, topic: topic, lines: ["bad/#:wildcard", "1:nobody"])
        let system = try await MosquittoClients.subscribe(
            port: server.port,
            topics: ["$SYS/broker/bridge/dl/committed/\(topic)/0"]
        )
        _ = try await system.nextLine("committed 2", timeout: .seconds(30)) { line in
            MosquittoClients.Message(line: line)?.payload == "2"
        }
        try await server.terminate()

        let listed = try await TributaryProcess.run(["dead-letters", "--data-dir", store])
        #expect(listed.status == 0, "\(listed.output)")
        let letters = listed.output.compactMap(JSONValue.parse)
        #expect(letters.count == 2, "\(listed.output)")
        let byValue = Dictionary(uniqueKeysWithValues: letters.map { ($0["value"]?.string ?? "", $0) })
        #expect(byValue["wildcard"]?["reason"]?.string?.hasPrefix("invalid-topic: ") == true)
        #expect(byValue["wildcard"]?["mqtt-topic"]?.string == "d/bad/#")
        #expect(byValue["nobody"]?["reason"]?.string?.hasPrefix("no-subscriber: ") == true)
        #expect(byValue["nobody"]?["mqtt-topic"]?.string == "d/1")
        #expect(letters.allSatisfy { $0["mapping"]?.string == "dl" && $0["kafka-topic"]?.string == topic })
    }

    /// Two bridges of one mapping (two nodes) split the partitions; when one stops, the other
    /// takes its partitions over from the committed offsets and no record is skipped.
    @Test func aSecondNodeTakesOverTheStoppedOnesPartitionsWithoutSkipping() async throws {
        let topic = uniqueName("commands")
        let mapping = settings(topic, mqttTopic: "r/${partition}/${key}")
        try await withKafkaToMQTT(topic: topic, partitions: 2, settings: mapping) { tansu, broker, first in
            var logger = Logger(label: "test.kafka-to-mqtt")
            logger.logLevel = .critical
            let second = try KafkaToMQTTBridge(
                settings: mapping,
                client: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!]),
                destination: broker.broker,
                logger: logger
            )
            let secondRun = Task { try await second.run() }
            defer { secondRun.cancel() }
            let subscriber = try await MosquittoClients.subscribe(port: broker.port, topics: ["r/#"], qos: 1)
            // Both members hold a partition before anything is written.
            #expect(
                await pollUntil(timeout: .seconds(40)) {
                    !first.statistics.partitions.isEmpty && !second.statistics.partitions.isEmpty
                }
            )
            for partition in 0..<2 {
                try await produce(tansu, topic: topic, partition: partition, lines: (0..<10).map { "k:a\($0)" })
            }
            let before = try await MosquittoClients.messages(20, from: subscriber, timeout: .seconds(30))
            #expect(before.count == 20)
            #expect(await pollUntil { first.statistics.inFlight == 0 && second.statistics.inFlight == 0 })

            first.triggerGracefulShutdown()
            #expect(
                await pollUntil(timeout: .seconds(40)) {
                    second.statistics.partitions.filter { $0.lag != nil }.count == 2
                }
            )
            for partition in 0..<2 {
                try await produce(tansu, topic: topic, partition: partition, lines: (0..<10).map { "k:b\($0)" })
            }
            // Everything of the second round arrives; records of the first may come again
            // (at least once), none is missing.
            var seen: Set<String> = []
            let wanted = Set((0..<2).flatMap { partition in (0..<10).map { "\(partition):b\($0)" } })
            while !wanted.isSubset(of: seen) {
                for message in try await MosquittoClients.messages(1, from: subscriber, timeout: .seconds(30)) {
                    seen.insert("\(message.topic.split(separator: "/")[1]):\(message.payload)")
                }
            }
            #expect(second.statistics.deadLettered == 0)
        }
    }

    /// The real binary with a data directory: records handed to a subscriber that never
    /// acknowledges are not committed; after `kill -9` and a restart they come again, and after
    /// a graceful stop they do not.
    @Test func aKilledTributaryRedeliversWhatWasNotCommitted() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        let topic = uniqueName("commands")
        let admin = try KafkaClusterClient(
            configuration: KafkaClientConfiguration(bootstrapServers: [KafkaBrokerAddress(tansu.bootstrap)!])
        )
        defer { admin.shutdown() }
        try await admin.createTopic(topic, partitions: 1)
        let data = try TemporaryDirectory("k2m-kill")
        let config = "\(data.path)/tributary.yaml"
        try """
        sys-interval: 1
        auth: { allow-anonymous: true }
        kafka:
          clusters: [{ name: main, bootstrap: ["\(tansu.bootstrap)"] }]
          kafka-to-mqtt:
            - name: cmds
              kafka-topics: [\(topic)]
              mqtt-topic: "dev/${key}/cmd"
              qos: 1
              commit-interval-ms: 20
              session-timeout-ms: 6000
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let count = 20

        let first = try await TributaryServer.serve(["--config", config, "--data-dir", "\(data.path)/store"])
        let device = try await PahoPuppet.start(port: first.port)
        try await device.connect(clientID: uniqueName("dev"), manualAck: true)
        try await device.subscribe("dev/+/cmd", qos: 1)
        try await produce(tansu, topic: topic, lines: (0..<count).map { "7:seq-\($0)" })
        var before: Set<String> = []
        for _ in 0..<count {
            before.insert(try await device.message(timeout: .seconds(30))["payload"]?.string ?? "")
        }
        #expect(before.count == count)
        // Delivered, never acknowledged: nothing may have been committed.
        try await first.kill9()
        try await device.dropConnection()

        let second = try await TributaryServer.serve(["--config", config, "--data-dir", "\(data.path)/store"])
        defer { Task { try? await second.terminate() } }
        let again = try await MosquittoClients.subscribe(port: second.port, topics: ["dev/+/cmd"], qos: 1)
        let redelivered = try await MosquittoClients.messages(count, from: again, timeout: .seconds(60))
        #expect(Set(redelivered.map(\.payload)) == Set((0..<count).map { "seq-\($0)" }))
        // Acknowledged this time: the commit follows and shows in $SYS.
        let system = try await MosquittoClients.subscribe(
            port: second.port,
            topics: ["$SYS/broker/bridge/cmds/committed/\(topic)/0"]
        )
        _ = try await system.nextLine("committed \(count)", timeout: .seconds(30)) { line in
            MosquittoClients.Message(line: line)?.payload == "\(count)"
        }
        try await second.terminate()

        // A graceful stop keeps the commits: a third run delivers only what is new (a record
        // delivered again would arrive before the new one, which follows it in the partition).
        let third = try await TributaryServer.serve(["--config", config, "--data-dir", "\(data.path)/store"])
        defer { Task { try? await third.terminate() } }
        let fresh = try await MosquittoClients.subscribe(port: third.port, topics: ["dev/+/cmd"], qos: 1)
        try await produce(tansu, topic: topic, lines: ["7:after-restart"])
        let next = try await MosquittoClients.messages(1, from: fresh, timeout: .seconds(60))
        #expect(next.map(\.payload) == ["after-restart"])
        try await third.terminate()
    }
}
