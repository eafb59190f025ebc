import BrokerCore
import Foundation
import Logging
import MQTTCodec
import NIOCore
import Store
import Testing

@Suite struct DurableStoreTests {
    private let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("store-tests-\(UUID().uuidString)").path

    private func open() throws -> DurableStore {
        try DurableStore(directory: directory, synchronization: .process, logger: Logger(label: "test.store"))
    }

    /// Waits until everything submitted so far is committed.
    private func committed(_ store: DurableStore, _ ticket: StoreTicket) async throws {
        try await store.committed(ticket).get()
    }

    private func message(_ topic: String, expiresAt: Int64? = nil) -> StoredMessage {
        var properties = ByteBuffer()
        var forwarded = MQTTProperties()
        forwarded.contentType = "text/plain"
        properties.writeStoredMQTTProperties(forwarded)
        return StoredMessage(
            topic: topic,
            payload: Array(topic.utf8),
            qos: 1,
            retain: false,
            properties: Array(properties.readableBytesView),
            expiresAt: expiresAt
        )
    }

    private func delivery(_ id: Int64, _ topic: String) -> StoredDelivery {
        StoredDelivery(
            id: id,
            message: message(topic),
            qos: 1,
            retain: false,
            subscriptionIdentifiers: [7, 9],
            sharedGroup: SharedGroupKey(shareName: "g", filter: "a/#")
        )
    }

    @Test func everythingWrittenIsReadBackAfterReopening() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try open()
            let subscription = StoredSubscription(
                filter: "$share/g/a/#",
                options: SubscriptionOptions(
                    qos: .exactlyOnce,
                    noLocal: false,
                    retainAsPublished: true,
                    retainHandling: .doNotSend
                ),
                identifier: 42
            )
            store.submit([
                .saveSession(clientID: "c1", expiryInterval: 3600, disconnectedAt: 1_000),
                .saveSubscription(clientID: "c1", subscription),
                .insertDelivery(clientID: "c1", delivery(10, "a/1")),
                .insertDelivery(clientID: "c1", delivery(11, "a/2")),
                .insertDelivery(clientID: "c1", delivery(12, "a/3")),
                .markInflight(id: 10, packetID: 5, phase: .awaitingPubcomp),
                .insertIncomingQoS2(clientID: "c1", packetID: 77),
                .saveRetained(message("r/1")),
            ])
            let ticket = store.submit(.deleteDelivery(id: 12))
            try await committed(store, ticket)
            #expect(store.committedTicket >= ticket)
            store.close()
        }
        let reopened = try open()
        defer { reopened.close() }
        let state = try reopened.recover()
        #expect(state.sessions.count == 1)
        let session = try #require(state.sessions.first)
        #expect(session.clientID == "c1" && session.expiryInterval == 3600 && session.disconnectedAt == 1_000)
        #expect(session.subscriptions.map(\.filter) == ["$share/g/a/#"])
        #expect(session.subscriptions.first?.options.retainHandling == .doNotSend)
        #expect(session.subscriptions.first?.options.retainAsPublished == true)
        #expect(session.subscriptions.first?.options.qos == .exactlyOnce)
        #expect(session.subscriptions.first?.identifier == 42)
        #expect(session.deliveries.map(\.id) == [10, 11])
        #expect(session.deliveries[0].packetID == 5 && session.deliveries[0].phase == .awaitingPubcomp)
        #expect(session.deliveries[1].packetID == nil && session.deliveries[1].phase == nil)
        #expect(session.deliveries[1] == delivery(11, "a/2"))
        #expect(session.incomingQoS2 == [77])
        #expect(state.retained.map(\.topic) == ["r/1"])
        // New identifiers continue after the highest one seen, so the queue order holds.
        #expect(reopened.makeDeliveryID() > 11)
    }

    @Test func deletingASessionTakesEverythingOfItAlong() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try open()
            store.submit([
                .saveSession(clientID: "gone", expiryInterval: 10, disconnectedAt: nil),
                .insertDelivery(clientID: "gone", delivery(1, "x")),
                .insertIncomingQoS2(clientID: "gone", packetID: 3),
                .saveSession(clientID: "kept", expiryInterval: 10, disconnectedAt: nil),
                .insertDelivery(clientID: "kept", delivery(2, "y")),
            ])
            try await committed(store, store.submit(.deleteSession(clientID: "gone")))
            store.close()
        }
        let reopened = try open()
        defer { reopened.close() }
        let state = try reopened.recover()
        #expect(state.sessions.map(\.clientID) == ["kept"])
        #expect(state.sessions.first?.deliveries.map(\.id) == [2])
    }

    @Test func aSecondStoreOnTheSameDirectoryIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try open()
        defer { first.close() }
        #expect {
            _ = try open()
        } throws: { error in
            (error as? StoreError)?.code == .inUse
        }
    }

    @Test func anExpiredMessageIsNotRestoredButAnUnexpiredOneCountsOn() throws {
        let now = NIODeadline.uptimeNanoseconds(5_000_000_000)
        #expect(
            message("m", expiresAt: 9_999).applicationMessage(wallClockMilliseconds: 10_000, monotonicNow: now) == nil
        )
        let restored = message("m", expiresAt: 12_500).applicationMessage(
            wallClockMilliseconds: 10_000,
            monotonicNow: now
        )
        #expect(restored?.expiry?.interval == 3)  // 2.5 s left, rounded up to whole seconds
        #expect(restored?.forwardedProperties.contentType == "text/plain")
        #expect(restored?.payload == ByteBuffer(string: "m"))
    }

    @Test func aMessageKeepsItsRemainingExpiryAcrossTheClockChange() {
        let received = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let original = ApplicationMessage(
            topic: "t",
            payload: ByteBuffer(string: "p"),
            qos: .atLeastOnce,
            retain: false,
            expiry: MessageExpiry(interval: 60, receivedAt: received)
        )
        // 10 s after it was received, at wall-clock time 100 s: 50 s left, so it expires at 150 s.
        let stored = StoredMessage(original, wallClockMilliseconds: 100_000, monotonicNow: received + .seconds(10))
        #expect(stored.expiresAt == 150_000)
    }
}
