import Testing
import TributaryConfiguration

/// The per-mapping settings of `kafka.mqtt-to-kafka`.
@Suite struct KafkaMappingConfigurationTests {
    private func mapping(_ extra: String) -> String {
        """
        kafka:
          clusters: [{ name: main, bootstrap: ["127.0.0.1:9092"] }]
          mqtt-to-kafka:
            - name: telemetry
              mqtt-topic-filters: ["site/#"]
              kafka-topic: "site-${topic[1]}"
        \(extra)
        """
    }

    @Test func producerSettingsAndHeadersAreRead() throws {
        let configuration = try parse(
            mapping(
                """
                      key: "${payload.device}"
                      headers: false
                      acks: "1"
                      compression: zstd
                      linger-ms: 20
                      idempotence: false
                      auto-create-partitions: 6
                """
            )
        )
        let read = try #require(configuration.kafka.mqttToKafka.first)
        #expect(read.key == "${payload.device}")
        #expect(read.headers == false)
        #expect(read.acks == .leader)
        #expect(read.compression == .zstd)
        #expect(read.lingerMilliseconds == 20)
        #expect(read.idempotence == false)
        #expect(read.autoCreatePartitions == 6)
    }

    @Test func defaultsLeaveTheProducerAlone() throws {
        let read = try #require(try parse(mapping("")).kafka.mqttToKafka.first)
        #expect(read.headers && read.acks == nil && read.compression == nil && read.idempotence == nil)
    }

    @Test func idempotenceWithoutAcksAllIsAnError() throws {
        let found = issues(mapping("      acks: \"0\"\n      idempotence: true"))
        #expect(found.count == 1)
        #expect(found.first?.keyPath == "kafka.mqtt-to-kafka[0].idempotence")
        #expect(found.first?.line == 8)
    }

    @Test func anUnknownTemplateVariableNamesTheTemplate() throws {
        let found = issues(mapping("      key: \"${device}\""))
        #expect(found.count == 1)
        #expect(found.first?.keyPath == "kafka.mqtt-to-kafka[0].key")
        #expect(found.first?.message.contains("${device}") == true)
    }
}
