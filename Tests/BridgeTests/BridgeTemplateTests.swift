import Bridge
import Testing

@Suite struct BridgeTemplateTests {
    private let values = BridgeTemplate.Values(
        topic: "site/42/generator/7/telemetry",
        clientID: "gen-7",
        username: "site-42",
        payload: Array(#"{"device": "g7", "fuel": 0.8, "count": 12}"#.utf8)
    )

    private func render(_ template: String) throws -> String {
        try BridgeTemplate(parsing: template).render(values)
    }

    @Test func variablesAreFilledIn() throws {
        #expect(try render("generator-telemetry") == "generator-telemetry")
        #expect(try render("${topic}") == "site/42/generator/7/telemetry")
        #expect(try render("site-${topic[1]}.gen-${topic[3]}") == "site-42.gen-7")
        #expect(try render("${clientid}/${username}") == "gen-7/site-42")
        #expect(try render("${payload.device}:${payload.count}") == "g7:12")
    }

    @Test func missingValuesAreEmpty() throws {
        #expect(try render("x${topic[9]}x") == "xx")
        #expect(try render("x${payload.absent}x") == "xx")
        let anonymous = BridgeTemplate.Values(topic: "a", clientID: "c", username: nil, payload: Array("not json".utf8))
        #expect(try BridgeTemplate(parsing: "${username}${payload.device}").render(anonymous) == "")
    }

    @Test(arguments: ["${nope}", "${topic[-1]}", "${topic[x]}", "open ${topic", "${payload.}"])
    func badTemplatesAreRefusedWithTheirText(template: String) {
        #expect {
            _ = try BridgeTemplate(parsing: template)
        } throws: { error in
            "\(error)".contains(template)
        }
    }

    @Test func onlyPayloadTemplatesReadThePayload() throws {
        #expect(try BridgeTemplate(parsing: "${payload.device}").readsPayload)
        #expect(try !BridgeTemplate(parsing: "${topic[1]}-${clientid}").readsPayload)
    }
}
