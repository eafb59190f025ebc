import Broker
import Foundation
import Testing

/// `limits:` that protect the broker from a misbehaving client, seen by independent clients.
@Suite struct LimitTests {
    @Test func aV5ClientOverItsPublishRateGetsQuotaExceeded() async throws {
        try await withBroker(configure: { $0.maximumPublishRate = 2 }) { broker in
            let topic = uniqueName("rate")
            let subscriber = try await MosquittoClients.subscribe(port: broker.port, topics: [topic], qos: 1)
            let client = try await PahoPuppet.start(port: broker.port)
            try await client.connect(clientID: uniqueName("fast"))
            var codes: [Int?] = []
            for index in 1...12 {
                codes.append(try await client.publish(topic, "\(index)", qos: 1))
            }
            // The burst of two is accepted; what comes faster than two a second is refused with
            // 0x97 (twelve acknowledged publishes take far less than five seconds).
            #expect(codes.prefix(2).allSatisfy { $0 == 0 })
            #expect(codes.contains(0x97))
            let accepted = codes.filter { $0 == 0 }.count
            try await client.disconnect()
            // Exactly the accepted ones were routed.
            try await MosquittoClients.publish(port: broker.port, topic: topic, message: "end", qos: 1)
            let messages = try await MosquittoClients.messages(accepted + 1, from: subscriber)
            #expect(messages.last?.payload == "end")
            #expect(messages.count == accepted + 1)
        }
    }

    @Test func connectionsAboveTheRateFromOneAddressAreRefused() async throws {
        try await withBroker(configure: { $0.maximumConnectionRate = 1 }) { broker in
            // Six clients at once against one a second: even on a loaded machine they arrive
            // within far less than six seconds, so some are refused.
            let processes = try (1...6).map { index in
                try PeerProcess(
                    Peers.mosquittoPub,
                    [
                        "-h", "127.0.0.1", "-p", "\(broker.port)", "-V", "mqttv5", "-q", "0", "-t", uniqueName("conn"),
                        "-m", "\(index)",
                    ]
                )
            }
            var statuses: [Int32] = []
            var outputs: [String] = []
            for process in processes {
                statuses.append(try await process.waitForExit(timeout: .seconds(15)))
                outputs += process.lines
            }
            #expect(statuses.contains(0))
            #expect(statuses.contains { $0 != 0 })
            #expect(outputs.contains { $0.localizedCaseInsensitiveContains("connection rate exceeded") })
        }
    }
}
