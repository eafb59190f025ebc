import Testing

@testable import Broker

/// Which HTTP requests a `ws` listener upgrades, refuses or does not know (MQTT 5.0 §6).
@Suite struct WebSocketUpgradePolicyTests {
    let policy = WebSocketUpgradePolicy(path: "/mqtt")

    @Test func upgradesTheConfiguredPathWithTheMQTTSubprotocol() {
        #expect(
            policy.decide(uri: "/mqtt", isWebSocketUpgrade: true, offeredSubprotocols: ["mqtt"])
                == .upgrade(subprotocol: "mqtt")
        )
        #expect(
            policy.decide(uri: "/mqtt?token=1", isWebSocketUpgrade: true, offeredSubprotocols: ["chat, mqtt"])
                == .upgrade(subprotocol: "mqtt")
        )
    }

    @Test func prefersMQTTOverTheLegacyName() {
        let decision = policy.decide(uri: "/mqtt", isWebSocketUpgrade: true, offeredSubprotocols: ["mqttv3.1", "mqtt"])
        #expect(decision == .upgrade(subprotocol: "mqtt"))
        let legacy = policy.decide(uri: "/mqtt", isWebSocketUpgrade: true, offeredSubprotocols: ["mqttv3.1"])
        #expect(legacy == .upgrade(subprotocol: "mqttv3.1"))
    }

    @Test func refusesUpgradesWithoutAnMQTTSubprotocol() {
        #expect(policy.decide(uri: "/mqtt", isWebSocketUpgrade: true, offeredSubprotocols: []) == .noMQTTSubprotocol)
        #expect(
            policy.decide(uri: "/mqtt", isWebSocketUpgrade: true, offeredSubprotocols: ["MQTT"]) == .noMQTTSubprotocol
        )
        #expect(
            policy.decide(uri: "/mqtt", isWebSocketUpgrade: true, offeredSubprotocols: ["chat"]) == .noMQTTSubprotocol
        )
    }

    @Test func otherPathsAreNotFound() {
        #expect(policy.decide(uri: "/", isWebSocketUpgrade: true, offeredSubprotocols: ["mqtt"]) == .notFound)
        #expect(policy.decide(uri: "/mqtt/", isWebSocketUpgrade: true, offeredSubprotocols: ["mqtt"]) == .notFound)
        #expect(policy.decide(uri: "/other", isWebSocketUpgrade: false, offeredSubprotocols: []) == .notFound)
    }

    @Test func plainRequestsOnThePathNeedAnUpgrade() {
        #expect(policy.decide(uri: "/mqtt", isWebSocketUpgrade: false, offeredSubprotocols: []) == .upgradeRequired)
    }

    @Test func parsesRepeatedAndCommaSeparatedHeaders() {
        #expect(WebSocketUpgradePolicy.parse([" mqtt ,chat", "", "x,,y"]) == ["mqtt", "chat", "x", "y"])
    }
}
