import KafkaClient
import Testing

@Suite struct KafkaBrokerAddressTests {
    @Test func parsesHostAndPort() {
        #expect(KafkaBrokerAddress("127.0.0.1:9093") == KafkaBrokerAddress(host: "127.0.0.1", port: 9093))
        #expect(KafkaBrokerAddress("kafka") == KafkaBrokerAddress(host: "kafka", port: 9092))
        #expect(KafkaBrokerAddress("[::1]:19092") == KafkaBrokerAddress(host: "::1", port: 19092))
        #expect(KafkaBrokerAddress("[::1]:19092")?.description == "[::1]:19092")
    }

    @Test func rejectsBadPorts() {
        #expect(KafkaBrokerAddress("host:0") == nil)
        #expect(KafkaBrokerAddress("host:70000") == nil)
        #expect(KafkaBrokerAddress("host:abc") == nil)
        #expect(KafkaBrokerAddress(":9092") == nil)
    }
}
