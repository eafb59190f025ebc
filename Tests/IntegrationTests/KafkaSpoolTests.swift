import Foundation
import Testing

/// The MQTT → Kafka spool with the real binary, tansu behind a proxy that can cut the network,
/// mosquitto_pub publishers numbering their messages, and confluent-kafka reading what arrived.
@Suite(.serialized) struct KafkaSpoolTests {
    /// A config file for `serve`: one mapping of `count/+` to the `numbers` topic, keyed by client.
    func configuration(
        in directory: TemporaryDirectory,
        kafkaPort: Int,
        mapping: String
    ) throws -> String {
        let file = "\(directory.path)/tributary.yaml"
        try """
        data-dir: \(directory.path)/data
        auth: { allow-anonymous: true }
        sys-interval: 1
        kafka:
          clusters: [{ name: main, bootstrap: ["127.0.0.1:\(kafkaPort)"] }]
          mqtt-to-kafka:
            - { name: numbers, mqtt-topic-filters: ["count/+"], kafka-topic: numbers, key: "${clientid}", \(mapping) }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// A tansu whose advertised address is a proxy that can cut the network, with the `numbers`
    /// topic made; the caller stops both.
    func startTansuBehindProxy() async throws -> (TansuProxy, TansuBroker) {
        let proxy = try await TansuProxy.start()
        let tansu = try await TansuBroker.start(advertisedPort: proxy.port)
        proxy.setTarget(port: tansu.port)
        try createNumbersTopic(bootstrap: "127.0.0.1:\(proxy.port)")
        return (proxy, tansu)
    }

    /// The 4-partition `numbers` topic the mappings write to.
    func createNumbersTopic(bootstrap: String) throws {
        let created = try runToCompletion(
            TributaryProcess.executable,
            ["kafka", "topics", "--bootstrap", bootstrap, "--create", "numbers", "--partitions", "4"]
        )
        #expect(created == 0)
    }

    /// The first pair of numbers whose first appearances are out of order (a repeated record
    /// only repeats ones before it), or nil.
    func firstAppearanceOutOfOrder(_ numbers: [Int]) -> (Int, Int)? {
        var firstSeen: [Int] = []
        var known = Set<Int>()
        for number in numbers where known.insert(number).inserted { firstSeen.append(number) }
        return zip(firstSeen, firstSeen.dropFirst()).first { $0 >= $1 }
    }

    /// A retained `$SYS` counter of the broker (of the `numbers` mapping unless `prefix` says
    /// otherwise), or nil before it is published.
    func systemValue(_ port: Int, _ topic: String, prefix: String = "$SYS/broker/bridge/numbers") async throws -> Int? {
        let process = try PeerProcess(
            Peers.mosquittoSub,
            ["-h", "127.0.0.1", "-p", "\(port)", "-t", "\(prefix)/\(topic)", "-C", "1", "-W", "10"]
        )
        _ = try await process.waitForExit(timeout: .seconds(20))
        return process.lines.last.flatMap { Int($0) }
    }

    /// `mosquitto_pub -l` processes, one per client `p<N>`, each sending `p<N>:<number>` lines.
    func publishers(_ count: Int, port: Int, debug: Bool = false) throws -> [PeerProcess] {
        try (0..<count).map { publisher in
            try PeerProcess(
                Peers.mosquittoPub,
                [
                    "-h", "127.0.0.1", "-p", "\(port)", "-V", "mqttv311", "-q", "1", "-i", "p\(publisher)",
                    "-t", "count/p\(publisher)", "-l",
                ] + (debug ? ["-d"] : [])
            )
        }
    }

    /// Each publisher's numbers in the order Kafka holds them (the key is the client id, so one
    /// publisher's records share a partition).
    func numbersInKafka(_ tansu: TansuBroker, proxyPort: Int) async throws -> [String: [Int]] {
        let records = try await KafkaProducerTests.consumed(
            tansu,
            proxyPort: proxyPort,
            topic: "numbers",
            partitions: 4
        )
        var seen: [String: [Int]] = [:]
        for record in records.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            let parts = (record.value ?? "").split(separator: ":")
            seen[String(parts[0]), default: []].append(Int(parts[1]) ?? -1)
        }
        return seen
    }

    @Test func kafkaUnreachableForThirtySecondsLosesNothingAndKeepsTheOrder() async throws {
        let (proxy, tansu) = try await startTansuBehindProxy()
        defer {
            proxy.stop()
            Task { await tansu.stop() }
        }
        let directory = try TemporaryDirectory("spool-outage")
        let file = try configuration(
            in: directory,
            kafkaPort: proxy.port,
            mapping: "mode: sync, on-kafka-unavailable: spool, unavailable-after-ms: 1000"
        )
        let server = try await TributaryServer.serve(["--config", file])
        defer { Task { try? await server.kill9() } }

        let count = 10
        let perPublisher = 3_000
        let processes = try publishers(count, port: server.port)
        // The first third goes straight to Kafka.
        for (publisher, process) in processes.enumerated() {
            for number in 1...1_000 { process.send("p\(publisher):\(number)") }
        }
        #expect(
            try await pollUntil(timeout: .seconds(60), interval: .milliseconds(200)) {
                (try await systemValue(server.port, "acknowledged") ?? 0) >= 1_000
            }
        )

        // Kafka goes away for 30 s while the rest of the stream arrives.
        proxy.startOutage()
        let outageEnds = ContinuousClock.now + .seconds(30)
        for (publisher, process) in processes.enumerated() {
            for number in 1_001...perPublisher { process.send("p\(publisher):\(number)") }
            process.closeInput()
        }
        // The publishers are answered from the spool meanwhile.
        #expect(
            try await pollUntil(timeout: .seconds(25), interval: .milliseconds(200)) {
                (try await systemValue(server.port, "spooled") ?? 0) > 0
            }
        )
        #expect(
            try await pollUntil(timeout: .seconds(20), interval: .milliseconds(200)) {
                try await systemValue(server.port, "kafka-available") == 0
            }
        )
        try await Task.sleep(until: outageEnds)  // the outage itself is what is under test
        proxy.endOutage()

        for process in processes {
            #expect(try await process.waitForExit(timeout: .seconds(120)) == 0)
        }
        // The spool drains once Kafka is back.
        #expect(
            try await pollUntil(timeout: .seconds(120), interval: .milliseconds(500)) {
                let records = try await systemValue(server.port, "spool/records")
                let available = try await systemValue(server.port, "kafka-available")
                return records == 0 && available == 1
            }
        )
        let replayed = try await systemValue(server.port, "replayed") ?? 0
        let stateChanges = try await systemValue(server.port, "kafka-state-changes") ?? 0
        #expect(replayed > 0)
        #expect(stateChanges >= 2)

        let seen = try await numbersInKafka(tansu, proxyPort: proxy.port)
        for publisher in 0..<count {
            let numbers = seen["p\(publisher)"] ?? []
            #expect(
                numbers == Array(1...perPublisher),
                "p\(publisher): \(numbers.count) records, \(Set(numbers).count) distinct"
            )
        }
        try await server.terminate()
    }

    @Test func killNineInTheMiddleOfAnAsyncStreamLosesNothingAcknowledged() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        try createNumbersTopic(bootstrap: tansu.bootstrap)
        let directory = try TemporaryDirectory("spool-kill")
        let file = try configuration(in: directory, kafkaPort: tansu.port, mapping: "mode: async")
        let server = try await TributaryServer.serve(["--config", file])

        let count = 5
        let perPublisher = 20_000
        let processes = try publishers(count, port: server.port, debug: true)
        for (publisher, process) in processes.enumerated() {
            for number in 1...perPublisher { process.send("p\(publisher):\(number)") }
        }
        // Kill it once the stream is well under way.
        #expect(
            await pollUntil(timeout: .seconds(60), interval: .milliseconds(20)) {
                processes.allSatisfy { process in process.lines.filter { $0.contains("received PUBACK") }.count >= 2_000
                }
            }
        )
        try await server.kill9()
        // mosquitto_pub keeps trying to reconnect in line mode; what it printed until now is all
        // that counts.
        for process in processes {
            await process.kill()
        }
        // mosquitto_pub numbers its messages 1, 2, 3… in the order of its input lines.
        let acknowledged: [Set<Int>] = processes.map { process in
            Set(
                process.lines.compactMap { line -> Int? in
                    guard let range = line.range(of: "received PUBACK (Mid: ") else { return nil }
                    return Int(line[range.upperBound...].prefix { $0.isNumber })
                }
            )
        }
        #expect(acknowledged.allSatisfy { $0.count >= 2_000 && $0.count < perPublisher })

        // The restarted broker drains what its spool held.
        let restarted = try await TributaryServer.serve(["--config", file])
        defer { Task { try? await restarted.kill9() } }
        #expect(restarted.process.lines.contains { $0.contains("spool holds records from before the restart") })
        #expect(
            try await pollUntil(timeout: .seconds(120), interval: .milliseconds(500)) {
                try await systemValue(restarted.port, "spool/records") == 0
            }
        )

        let seen = try await numbersInKafka(tansu, proxyPort: tansu.port)
        for publisher in 0..<count {
            let numbers = seen["p\(publisher)"] ?? []
            // Nothing acknowledged is missing.
            let missing = acknowledged[publisher].subtracting(numbers)
            #expect(
                missing.isEmpty,
                "p\(publisher): \(missing.count) acknowledged numbers missing, e.g. \(missing.sorted().prefix(5))"
            )
            // Order is kept: a record sent again after the restart only repeats ones before it.
            let outOfOrder = firstAppearanceOutOfOrder(numbers)
            #expect(outOfOrder == nil, "p\(publisher): \(String(describing: outOfOrder)) out of order")
        }
        try await restarted.terminate()
    }
}

extension KafkaSpoolTests {
    /// A QoS 2 flow that completed (PUBCOMP) is never written twice: its PUBREC waited until the
    /// store knew Kafka had the message. What can repeat is a message whose Kafka acknowledgement
    /// came in the last moment before the kill, before the store recorded it: the publisher
    /// re-sends it and it is written again. Kafka offers no way to recognise that copy across a
    /// restart without transactions, so the promise across a crash is: nothing lost, order kept,
    /// only in-flight messages repeated.
    @Test func killNineInASyncQoS2StreamLeavesNoGapAndRepeatsNothingCompleted() async throws {
        let tansu = try await TansuBroker.start()
        defer { Task { await tansu.stop() } }
        try createNumbersTopic(bootstrap: tansu.bootstrap)
        let directory = try TemporaryDirectory("spool-qos2")
        let file = try configuration(in: directory, kafkaPort: tansu.port, mapping: "mode: sync")
        let port = try await TributaryProcess.freePort()
        let server = try await TributaryServer.serve(["--config", file, "--listen", "127.0.0.1:\(port)"])

        // paho publishers with persistent sessions: after the restart they re-send what was not
        // complete, with the same packet identifiers.
        let count = 4
        let perPublisher = 3_000
        let publishers = try (0..<count).map { publisher in
            try PeerProcess(
                Peers.python,
                [Peers.numberedPublisher, "\(port)", "p\(publisher)", "\(perPublisher)", "2"]
            )
        }
        #expect(
            await pollUntil(timeout: .seconds(60), interval: .milliseconds(20)) {
                publishers.allSatisfy { process in process.lines.filter { $0.hasPrefix("acknowledged") }.count >= 500 }
            }
        )
        try await server.kill9()
        let completedBeforeKill: [Set<Int>] = publishers.map { process in
            Set(process.lines.compactMap { $0.hasPrefix("acknowledged ") ? Int($0.dropFirst(13)) : nil })
        }
        let restarted = try await TributaryServer.serve(["--config", file, "--listen", "127.0.0.1:\(port)"])
        defer { Task { try? await restarted.kill9() } }
        for publisher in publishers {
            #expect(try await publisher.waitForExit(timeout: .seconds(120)) == 0)
        }

        let seen = try await numbersInKafka(tansu, proxyPort: tansu.port)
        for publisher in 0..<count {
            let numbers = seen["p\(publisher)"] ?? []
            let missing = Set(1...perPublisher).subtracting(numbers)
            #expect(missing.isEmpty, "p\(publisher): \(missing.count) missing, e.g. \(missing.sorted().prefix(5))")
            var counts: [Int: Int] = [:]
            for number in numbers { counts[number, default: 0] += 1 }
            let repeated = Set(counts.filter { $0.value > 1 }.keys)
            let repeatedCompleted = repeated.intersection(completedBeforeKill[publisher])
            #expect(
                repeatedCompleted.isEmpty,
                "p\(publisher): completed flows written twice: \(repeatedCompleted.sorted())"
            )
            // At most the publisher's in-flight window (20) can repeat.
            #expect(repeated.count <= 20, "p\(publisher): \(repeated.count) repeated")
            let outOfOrder = firstAppearanceOutOfOrder(numbers)
            #expect(outOfOrder == nil, "p\(publisher): \(String(describing: outOfOrder)) out of order")
        }
        try await restarted.terminate()
    }
}

extension KafkaSpoolTests {
    /// A spool nearly full stops the broker reading from publishers instead of refusing their
    /// messages; when Kafka is back and the spool drains, reading resumes and nothing is lost.
    @Test func aNearlyFullSpoolHoldsPublishersBackInsteadOfDroppingAnything() async throws {
        let (proxy, tansu) = try await startTansuBehindProxy()
        defer {
            proxy.stop()
            Task { await tansu.stop() }
        }
        proxy.startOutage()
        let directory = try TemporaryDirectory("spool-full")
        let file = try configuration(
            in: directory,
            kafkaPort: proxy.port,
            mapping: "mode: async, spool-max-records: 300, unavailable-after-ms: 1000"
        )
        let server = try await TributaryServer.serve(["--config", file])
        defer { Task { try? await server.kill9() } }

        let total = 400
        let publisher = try PeerProcess(
            Peers.mosquittoPub,
            ["-h", "127.0.0.1", "-p", "\(server.port)", "-V", "mqttv5", "-q", "1", "-i", "p0", "-t", "count/p0", "-l"]
        )
        for number in 1...total { publisher.send("p0:\(number)") }
        publisher.closeInput()

        // Nine tenths of the spool used: the broker stops reading the publisher.
        #expect(
            try await pollUntil(timeout: .seconds(60), interval: .milliseconds(200)) {
                let pauses = try await systemValue(server.port, "spool-pauses", prefix: "$SYS/broker/bridge")
                let records = try await systemValue(server.port, "spool/records") ?? 0
                return (pauses ?? 0) >= 1 && records >= 270
            }
        )
        // The drain's records wait for Kafka: it counts as unavailable.
        #expect(
            try await pollUntil(timeout: .seconds(20), interval: .milliseconds(200)) {
                try await systemValue(server.port, "kafka-available") == 0
            }
        )
        let heldBack = try await systemValue(server.port, "spool/records") ?? 0
        let refusedWhileFull = try await systemValue(server.port, "refused") ?? -1
        #expect(heldBack < total)
        #expect(refusedWhileFull == 0)

        proxy.endOutage()
        #expect(try await publisher.waitForExit(timeout: .seconds(120)) == 0)
        #expect(
            try await pollUntil(timeout: .seconds(120), interval: .milliseconds(500)) {
                try await systemValue(server.port, "spool/records") == 0
            }
        )
        let refused = try await systemValue(server.port, "refused") ?? -1
        #expect(refused == 0)
        let seen = try await numbersInKafka(tansu, proxyPort: proxy.port)
        #expect(seen["p0"] == Array(1...total), "\(seen["p0"]?.count ?? 0) records")
        try await server.terminate()
    }
}

extension KafkaSpoolTests {
    /// SIGTERM while Kafka is unreachable: the broker still stops (its producers get a grace
    /// period, not for ever), and what the spool holds reaches Kafka after the restart.
    @Test func aBrokerStoppedDuringAnOutageStopsAndDeliversTheSpoolAfterItsRestart() async throws {
        let (proxy, tansu) = try await startTansuBehindProxy()
        defer {
            proxy.stop()
            Task { await tansu.stop() }
        }
        let directory = try TemporaryDirectory("spool-stop")
        let file = try configuration(
            in: directory,
            kafkaPort: proxy.port,
            mapping: "mode: sync, unavailable-after-ms: 1000"
        )
        let server = try await TributaryServer.serve(["--config", file])
        defer { Task { try? await server.kill9() } }
        // One record straight to Kafka first, so the producer is connected when Kafka goes.
        // One client id throughout: the key, so all records share a partition and its order.
        let first = try await MosquittoClients.publish(
            port: server.port,
            topic: "count/p0",
            message: "p0:1",
            qos: 1,
            extra: ["-i", "p0"]
        )
        #expect(first.status == 0)

        proxy.startOutage()
        for number in 2...5 {
            let published = try await MosquittoClients.publish(
                port: server.port,
                topic: "count/p0",
                message: "p0:\(number)",
                qos: 1,
                extra: ["-i", "p0"]
            )
            #expect(published.status == 0)  // acknowledged from the spool
        }
        try await server.terminate()  // within its 20 s, though Kafka is still away

        proxy.endOutage()
        let restarted = try await TributaryServer.serve(["--config", file])
        defer { Task { try? await restarted.kill9() } }
        #expect(
            try await pollUntil(timeout: .seconds(60), interval: .milliseconds(500)) {
                try await systemValue(restarted.port, "spool/records") == 0
            }
        )
        let seen = try await numbersInKafka(tansu, proxyPort: proxy.port)
        #expect(seen["p0"] == [1, 2, 3, 4, 5])
        try await restarted.terminate()
    }
}
