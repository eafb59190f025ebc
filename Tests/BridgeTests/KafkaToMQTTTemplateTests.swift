import Bridge
import KafkaClient
import KafkaProtocol
import NIOCore
import Testing

@Suite struct KafkaToMQTTTemplateTests {
    private let record = KafkaConsumerRecord(
        topicPartition: TopicPartition(topic: "generator-commands", partition: 3),
        offset: 17,
        key: ByteBuffer(string: "gen-7"),
        value: ByteBuffer(string: #"{"site": 42, "target": {"unit": "g7"}, "name": "start"}"#),
        headers: [
            KafkaHeader(key: "device", value: ByteBuffer(string: "g7")),
            KafkaHeader(key: "empty", value: nil),
        ],
        timestamp: 0
    )

    private func render(_ template: String) throws -> String {
        try KafkaToMQTTTemplate(parsing: template).render(record)
    }

    @Test func variablesAreFilledIn() throws {
        #expect(try render("site/commands") == "site/commands")
        #expect(try render("site/${key}/commands") == "site/gen-7/commands")
        #expect(try render("${topic}/${partition}") == "generator-commands/3")
        #expect(try render("d/${header.device}") == "d/g7")
        #expect(try render("site/${value.site}/${value.name}") == "site/42/start")
        #expect(try render("u/${value.target.unit}") == "u/g7")
    }

    @Test func missingValuesAreEmpty() throws {
        #expect(try render("x${header.absent}x") == "xx")
        #expect(try render("x${header.empty}x") == "xx")
        #expect(try render("x${value.absent}x") == "xx")
        #expect(try render("x${value.target}x") == "xx")  // an object is not a value
        var bare = record
        bare.key = nil
        bare.value = ByteBuffer(string: "not json")
        #expect(try KafkaToMQTTTemplate(parsing: "${key}${value.site}").render(bare) == "")
    }

    @Test(arguments: ["${nope}", "${clientid}", "open ${key", "${header.}", "${value.}", "${value.a..b}"])
    func badTemplatesAreRefusedWithTheirText(template: String) {
        #expect {
            _ = try KafkaToMQTTTemplate(parsing: template)
        } throws: { error in
            "\(error)".contains(template)
        }
    }

    @Test func staticTextLeavesVariablesOut() throws {
        #expect(try KafkaToMQTTTemplate(parsing: "a/${header.x+y}/b").staticText == "a//b")
        #expect(try KafkaToMQTTTemplate(parsing: "${key}").readsValue == false)
        #expect(try KafkaToMQTTTemplate(parsing: "${value.a}").readsValue)
    }
}
