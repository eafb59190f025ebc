import Bridge
import BrokerCore
import Foundation
import Yams

extension ConfigurationParser {
    /// `kafka: { clusters, mqtt-to-kafka, kafka-to-mqtt }`.
    func parseKafka(_ node: Node, _ path: String) -> KafkaSettings {
        var kafka = KafkaSettings()
        guard let fields = reader.fields(node, path, allowed: ["clusters", "mqtt-to-kafka", "kafka-to-mqtt"]) else {
            return kafka
        }
        if let clustersNode = fields["clusters"], let elements = reader.list(clustersNode, fields.path("clusters")) {
            var names: Set<String> = []
            for (index, element) in elements.enumerated() {
                let elementPath = "\(fields.path("clusters"))[\(index)]"
                guard let cluster = parseCluster(element, elementPath) else { continue }
                if !names.insert(cluster.name).inserted {
                    reader.report(element, "\(elementPath).name", "duplicate cluster name \"\(cluster.name)\"")
                }
                kafka.clusters.append(cluster)
            }
        }
        let clusterNames = kafka.clusters.map(\.name)
        var mappingNames: Set<String> = []
        if let node = fields["mqtt-to-kafka"], let elements = reader.list(node, fields.path("mqtt-to-kafka")) {
            for (index, element) in elements.enumerated() {
                let elementPath = "\(fields.path("mqtt-to-kafka"))[\(index)]"
                guard let mapping = parseMQTTToKafka(element, elementPath, clusters: clusterNames) else { continue }
                if !mappingNames.insert(mapping.name).inserted {
                    reader.report(element, "\(elementPath).name", "duplicate mapping name \"\(mapping.name)\"")
                }
                kafka.mqttToKafka.append(mapping)
            }
        }
        if let node = fields["kafka-to-mqtt"], let elements = reader.list(node, fields.path("kafka-to-mqtt")) {
            for (index, element) in elements.enumerated() {
                let elementPath = "\(fields.path("kafka-to-mqtt"))[\(index)]"
                guard let mapping = parseKafkaToMQTT(element, elementPath, clusters: clusterNames) else { continue }
                if !mappingNames.insert(mapping.name).inserted {
                    reader.report(element, "\(elementPath).name", "duplicate mapping name \"\(mapping.name)\"")
                }
                kafka.kafkaToMQTT.append(mapping)
            }
        }
        return kafka
    }

    private func parseCluster(_ node: Node, _ path: String) -> KafkaSettings.Cluster? {
        guard let fields = reader.fields(node, path, allowed: ["name", "bootstrap", "client-id"]) else { return nil }
        let name = required(fields, "name")
        var bootstrap: [HostAndPort]?
        if let node = fields["bootstrap"], let texts = reader.strings(fields, "bootstrap") {
            var servers: [HostAndPort] = []
            for text in texts {
                guard let server = HostAndPort(parsing: text) else {
                    reader.report(node, fields.path("bootstrap"), "expected HOST:PORT, got \"\(text)\"")
                    continue
                }
                servers.append(server)
            }
            if texts.isEmpty { reader.report(node, fields.path("bootstrap"), "name at least one broker") }
            if servers.count == texts.count, !texts.isEmpty { bootstrap = servers }
        } else if !fields.has("bootstrap") {
            reader.reportMissing(fields, "bootstrap", "a list of HOST:PORT")
        }
        let clientID = reader.nonEmptyString(fields, "client-id") ?? "tributary"
        guard let name, let bootstrap else { return nil }
        return KafkaSettings.Cluster(name: name, bootstrap: bootstrap, clientID: clientID)
    }

    private func parseMQTTToKafka(
        _ node: Node,
        _ path: String,
        clusters: [String]
    ) -> KafkaSettings.MQTTToKafkaMapping? {
        let keys = [
            "name", "cluster", "mqtt-topic-filters", "kafka-topic", "key", "mode", "on-kafka-unavailable", "headers",
            "acks", "compression", "linger-ms", "idempotence", "auto-create-partitions", "unavailable-after-ms",
            "spool-max-records", "spool-max-bytes", "dead-letter-topic",
        ]
        guard let fields = reader.fields(node, path, allowed: keys) else { return nil }
        let name = required(fields, "name")
        let cluster = clusterReference(fields, clusters: clusters)
        var filters: [String]?
        if let node = fields["mqtt-topic-filters"], let texts = reader.strings(fields, "mqtt-topic-filters") {
            var valid = !texts.isEmpty
            if texts.isEmpty { reader.report(node, fields.path("mqtt-topic-filters"), "name at least one filter") }
            for text in texts {
                do {
                    _ = try TopicFilter(parsing: text)
                } catch {
                    reader.report(
                        node,
                        fields.path("mqtt-topic-filters"),
                        "invalid topic filter \"\(text)\": \(error.detail)"
                    )
                    valid = false
                }
            }
            if valid { filters = texts }
        } else if !fields.has("mqtt-topic-filters") {
            reader.reportMissing(fields, "mqtt-topic-filters")
        }
        let kafkaTopic = bridgeTemplate(fields, "kafka-topic")
        if !fields.has("kafka-topic") { reader.reportMissing(fields, "kafka-topic") }
        let key = bridgeTemplate(fields, "key")
        let mode = reader.choice(fields, "mode", as: KafkaSettings.DeliveryMode.self) ?? .sync
        let policy = reader.choice(fields, "on-kafka-unavailable", as: KafkaSettings.UnavailablePolicy.self) ?? .spool
        let headers = reader.bool(fields, "headers") ?? true
        let acks = reader.choice(fields, "acks", as: KafkaSettings.Acks.self)
        let compression = reader.choice(fields, "compression", as: KafkaSettings.Compression.self)
        let linger = reader.int(fields, "linger-ms", in: 0...60_000)
        let idempotence = reader.bool(fields, "idempotence")
        let autoCreatePartitions = reader.int(fields, "auto-create-partitions", in: 1...10_000)
        let unavailableAfter = reader.int(fields, "unavailable-after-ms", in: 100...3_600_000)
        let spoolRecords = reader.int(fields, "spool-max-records", in: 1...1_000_000_000)
        let spoolBytes = reader.int(fields, "spool-max-bytes", in: 1_024...(1 << 50))
        var deadLetterTopic = reader.string(fields, "dead-letter-topic")
        if let topic = deadLetterTopic, let problem = KafkaTopicName.problem(with: topic),
            let node = fields["dead-letter-topic"]
        {
            reader.report(node, fields.path("dead-letter-topic"), problem)
            deadLetterTopic = nil
        }
        if idempotence == true, let acks, acks != .all, let node = fields["idempotence"] {
            reader.report(node, fields.path("idempotence"), "idempotence needs acks: all")
        }
        guard let name, let cluster, let filters, let kafkaTopic else { return nil }
        var mapping = KafkaSettings.MQTTToKafkaMapping(
            name: name,
            cluster: cluster,
            mqttTopicFilters: filters,
            kafkaTopic: kafkaTopic,
            key: key,
            mode: mode,
            onKafkaUnavailable: policy
        )
        mapping.headers = headers
        mapping.acks = acks
        mapping.compression = compression
        mapping.lingerMilliseconds = linger
        mapping.idempotence = idempotence
        mapping.autoCreatePartitions = autoCreatePartitions
        if let unavailableAfter { mapping.unavailableAfterMilliseconds = unavailableAfter }
        if let spoolRecords { mapping.spoolMaximumRecords = spoolRecords }
        if let spoolBytes { mapping.spoolMaximumBytes = spoolBytes }
        mapping.deadLetterTopic = deadLetterTopic
        return mapping
    }

    func required(_ fields: ConfigurationReader.Fields, _ key: String) -> String? {
        if !fields.has(key) {
            reader.reportMissing(fields, key)
            return nil
        }
        return reader.nonEmptyString(fields, key)
    }

    /// `cluster:` must name a cluster; it may be left out when exactly one is configured.
    func clusterReference(_ fields: ConfigurationReader.Fields, clusters: [String]) -> String? {
        guard let node = fields["cluster"] else {
            if clusters.count == 1 { return clusters[0] }
            reader.reportMissing(
                fields,
                "cluster",
                clusters.isEmpty ? "no kafka.clusters are defined" : "one of \(clusters.joined(separator: ", "))"
            )
            return nil
        }
        guard let name = reader.string(node, fields.path("cluster")) else { return nil }
        guard clusters.contains(name) else {
            reader.report(node, fields.path("cluster"), "no cluster named \"\(name)\" in kafka.clusters")
            return nil
        }
        return name
    }

    /// A topic or key template of an MQTT → Kafka mapping, checked by the bridge's own parser.
    private func bridgeTemplate(_ fields: ConfigurationReader.Fields, _ key: String) -> String? {
        guard let node = fields[key], let text = reader.nonEmptyString(fields, key) else { return nil }
        do {
            _ = try BridgeTemplate(parsing: text)
            return text
        } catch {
            reader.report(node, fields.path(key), error.description)
            return nil
        }
    }
}
