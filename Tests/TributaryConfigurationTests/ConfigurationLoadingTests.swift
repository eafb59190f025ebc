import Broker
import BrokerCore
import Foundation
import Testing
import TributaryConfiguration

/// Parses `text` as if it were `/etc/tributary/tributary.yaml`, where every file exists.
func parse(_ text: String, existing: Set<String>? = nil) throws(ConfigurationError) -> TributaryConfiguration {
    try TributaryConfiguration.parse(
        text,
        fileName: "tributary.yaml",
        baseDirectory: "/etc/tributary",
        fileExists: { existing?.contains($0) ?? true }
    )
}

/// The issues `text` produces (none when it is valid).
func issues(_ text: String, existing: Set<String>? = nil) -> [ConfigurationIssue] {
    do {
        _ = try parse(text, existing: existing)
        return []
    } catch {
        return error.issues
    }
}

@Suite struct ConfigurationLoadingTests {
    static let designExample = """
        data-dir: ./data
        durability: process
        listeners:
          - { type: tcp, bind: "0.0.0.0:1883" }
          - { type: tls, bind: "0.0.0.0:8883", cert: server.pem, key: server.key, ca: ca.pem, require-client-cert: false }
          - { type: ws,  bind: "0.0.0.0:8083", path: /mqtt }
          - { type: wss, bind: "[::1]:8084", cert: /abs/server.pem, key: server.key }
        http: { bind: "127.0.0.1:8080" }
        auth:
          allow-anonymous: false
          password-file: passwd
        acl:
          - { allow: [publish, subscribe], topic: "devices/%c/#" }
          - { deny: [subscribe], topic: "#" }
        limits: { max-connections: 100000, max-packet-size: 1048576, max-queued-per-session: 10000 }
        sessions: { persistent-expiry: 86400, queue-qos0-offline: true }
        sys-interval: 5
        kafka:
          clusters:
            - { name: main, bootstrap: ["127.0.0.1:9092"], client-id: tributary }
          mqtt-to-kafka:
            - name: telemetry
              cluster: main
              mqtt-topic-filters: ["site/+/generator/+/telemetry"]
              kafka-topic: generator-telemetry
              key: "${clientid}"
              mode: sync
              on-kafka-unavailable: spool
          kafka-to-mqtt:
            - name: commands
              cluster: main
              kafka-topics: [generator-commands]
              group-id: tributary-commands
              mqtt-topic: "site/${key}/commands"
              qos: 1
        """

    @Test func theDesignExampleLoads() throws {
        let configuration = try parse(Self.designExample)
        let broker = configuration.broker
        #expect(broker.dataDirectory == "/etc/tributary/data")
        #expect(broker.durability == .process)
        #expect(broker.listeners.count == 4)
        #expect(broker.listeners[0] == BrokerConfiguration.Listener(.tcp, host: "0.0.0.0", port: 1883))
        let tls = BrokerConfiguration.TLSSettings(
            certificatePath: "/etc/tributary/server.pem",
            privateKeyPath: "/etc/tributary/server.key",
            certificateAuthorityPath: "/etc/tributary/ca.pem"
        )
        #expect(broker.listeners[1] == BrokerConfiguration.Listener(.tls(tls), host: "0.0.0.0", port: 8883))
        #expect(
            broker.listeners[2] == BrokerConfiguration.Listener(.webSocket(path: "/mqtt"), host: "0.0.0.0", port: 8083)
        )
        let wss = BrokerConfiguration.TLSSettings(
            certificatePath: "/abs/server.pem",
            privateKeyPath: "/etc/tributary/server.key"
        )
        #expect(
            broker.listeners[3]
                == BrokerConfiguration.Listener(.webSocketTLS(wss, path: "/mqtt"), host: "::1", port: 8084)
        )
        #expect(configuration.http == HTTPSettings(host: "127.0.0.1", port: 8080))
        #expect(
            broker.authentication
                == BrokerConfiguration.Authentication(allowAnonymous: false, passwordFile: "/etc/tributary/passwd")
        )
        #expect(
            broker.accessRules == [
                AccessRule(.allow, [.publish, .subscribe], topic: "devices/%c/#"),
                AccessRule(.deny, [.subscribe], topic: "#"),
            ]
        )
        #expect(broker.maximumConnections == 100_000)
        #expect(broker.maximumPacketSize == 1_048_576)
        #expect(broker.maximumQueuedPerSession == 10_000)
        #expect(broker.persistentSessionExpiry == 86_400)
        #expect(broker.queueQoS0WhileOffline)
        #expect(broker.systemTopicsIntervalSeconds == 5)

        let kafka = configuration.kafka
        #expect(kafka.clusters == [.init(name: "main", bootstrap: [HostAndPort(host: "127.0.0.1", port: 9092)])])
        #expect(
            kafka.mqttToKafka == [
                .init(
                    name: "telemetry",
                    cluster: "main",
                    mqttTopicFilters: ["site/+/generator/+/telemetry"],
                    kafkaTopic: "generator-telemetry",
                    key: "${clientid}"
                )
            ]
        )
        #expect(
            kafka.kafkaToMQTT == [
                .init(
                    name: "commands",
                    cluster: "main",
                    kafkaTopics: ["generator-commands"],
                    groupID: "tributary-commands",
                    mqttTopic: "site/${key}/commands"
                )
            ]
        )
    }

    @Test func everyLimitKeyMaps() throws {
        let configuration = try parse(
            """
            limits:
              max-connections: 10
              max-packet-size: 2048
              max-queued-per-session: 5
              max-inflight: 7
              receive-maximum: 8
              topic-alias-maximum: 9
              max-topic-length: 100
              max-topic-levels: 11
              max-publish-rate: 12
              max-connection-rate: 13
              connect-timeout: 14
              max-keep-alive: 15
              max-session-expiry: 16
            response-information: "answers/"
            event-loop-threads: 3
            """
        )
        let broker = configuration.broker
        #expect(broker.maximumConnections == 10)
        #expect(broker.maximumPacketSize == 2048)
        #expect(broker.maximumQueuedPerSession == 5)
        #expect(broker.maximumInflightOutgoing == 7)
        #expect(broker.receiveMaximum == 8)
        #expect(broker.topicAliasMaximum == 9)
        #expect(broker.topicLimits.maximumLength == 100)
        #expect(broker.topicLimits.maximumLevels == 11)
        #expect(broker.maximumPublishRate == 12)
        #expect(broker.maximumConnectionRate == 13)
        #expect(broker.connectTimeoutSeconds == 14)
        #expect(broker.maximumKeepAlive == 15)
        #expect(broker.maximumSessionExpiry == 16)
        #expect(broker.responseInformationPrefix == "answers/")
        #expect(broker.eventLoopThreads == 3)
    }

    @Test func anEmptyFileKeepsDefaultsButRefusesAnonymous() throws {
        let configuration = try parse("")
        #expect(configuration.broker.listeners == BrokerConfiguration().listeners)
        #expect(configuration.broker.authentication.allowAnonymous == false)
        #expect(configuration.http == nil)
        #expect(!configuration.kafka.hasMappings)
        #expect(
            configuration.warnings == [
                "auth: anonymous access is off and there is no password-file: every client will be refused"
            ]
        )
    }

    @Test func anonymousAccessOnlyWhenTheFileSaysSo() throws {
        let configuration = try parse("auth: { allow-anonymous: true }")
        #expect(configuration.broker.authentication.allowAnonymous)
        #expect(configuration.broker.authentication.passwordFile == nil)
    }

    @Test func relativePathsResolveAgainstTheFilesDirectory() throws {
        let configuration = try parse(
            """
            data-dir: ../var/lib/tributary
            auth: { password-file: secrets/passwd }
            listeners:
              - { type: tls, bind: ":8883", cert: ./certs/server.pem, key: /keys/server.key }
            """
        )
        #expect(configuration.broker.dataDirectory == "/etc/var/lib/tributary")
        #expect(configuration.broker.authentication.passwordFile == "/etc/tributary/secrets/passwd")
        guard case .tls(let tls) = configuration.broker.listeners[0].kind else {
            Issue.record("expected a TLS listener")
            return
        }
        #expect(tls.certificatePath == "/etc/tributary/certs/server.pem")
        #expect(tls.privateKeyPath == "/keys/server.key")
        #expect(configuration.broker.listeners[0].host == "0.0.0.0")
    }

    @Test func loadReadsAFileAndResolvesNextToIt() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "# no users yet\n".write(to: directory.appendingPathComponent("passwd"), atomically: true, encoding: .utf8)
        let file = directory.appendingPathComponent("tributary.yaml")
        try "data-dir: data\nauth: { password-file: passwd }\n".write(to: file, atomically: true, encoding: .utf8)

        let configuration = try TributaryConfiguration.load(contentsOf: file.path)
        #expect(configuration.broker.dataDirectory == directory.appendingPathComponent("data").standardizedFileURL.path)
        #expect(
            configuration.broker.authentication.passwordFile
                == directory.appendingPathComponent("passwd").standardizedFileURL.path
        )
    }

    @Test func theExampleFileAtTheRepositoryRootLoads() throws {
        var root = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root.deleteLastPathComponent()
        }
        let configuration = try TributaryConfiguration.load(
            contentsOf: root.appendingPathComponent("tributary.example.yaml").path
        )
        #expect(!configuration.broker.listeners.isEmpty)
    }
}
