import Foundation
import Logging
import NIOCore
import Store
import Testing

/// The spool and dead-letter tables: what goes in comes back, in sequence order, per mapping.
struct SpoolStoreTests {
    private func withStore(_ body: (DurableStore, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try DurableStore(directory: directory, synchronization: .process, logger: Logger(label: "test"))
        try await body(store, directory)
        store.close()
    }

    private func record(_ sequence: Int64, mapping: String = "m") -> SpooledRecord {
        SpooledRecord(
            sequence: sequence,
            mapping: mapping,
            topic: "t",
            key: ByteBuffer(string: "k\(sequence)"),
            value: sequence == 2 ? nil : ByteBuffer(string: "v\(sequence)"),
            headers: [.init(name: "h", value: ByteBuffer(string: "x")), .init(name: "empty", value: nil)],
            timestamp: 1_000 + sequence
        )
    }

    private func committed(_ store: DurableStore, _ ticket: StoreTicket) async throws {
        try await store.committed(ticket).get()
    }

    @Test func spooledRecordsComeBackInSequenceOrderAndLeaveWhenDeleted() async throws {
        try await withStore { store, _ in
            let ticket = store.submit([
                .insertSpooled(record(3)), .insertSpooled(record(1)), .insertSpooled(record(2)),
                .insertSpooled(record(4, mapping: "other")),
            ])
            try await committed(store, ticket)
            let all = try await store.spooledRecords(of: "m", after: 0, limit: 10)
            #expect(all == [record(1), record(2), record(3)])
            #expect(try await store.spooledRecords(of: "m", after: 1, limit: 1) == [record(2)])

            let summary = try store.spoolSummary()
            #expect(summary.maximumSequence == 4)
            #expect(summary.mappings["m"]?.records == 3)
            #expect(summary.mappings["m"]?.oldestTimestamp == 1_001)
            #expect(summary.mappings["m"]?.bytes == record(1).size + record(2).size + record(3).size)

            try await committed(store, store.submit(.deleteSpooled(sequence: 1)))
            #expect(try await store.spooledRecords(of: "m", after: 0, limit: 10).map(\.sequence) == [2, 3])
        }
    }

    @Test func theSpoolSurvivesReopeningTheStore() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("spool-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try DurableStore(directory: directory, synchronization: .fsync, logger: Logger(label: "test"))
            try await committed(store, store.submit([.insertSpooled(record(7)), .insertSpooled(record(8))]))
            store.close()
        }
        let reopened = try DurableStore(directory: directory, synchronization: .fsync, logger: Logger(label: "test"))
        defer { reopened.close() }
        _ = try reopened.recover()
        #expect(try await reopened.spooledRecords(of: "m", after: 0, limit: 10) == [record(7), record(8)])
    }

    @Test func deadLettersAreKeptNewestFirst() async throws {
        try await withStore { store, _ in
            for index in 0..<3 {
                let letter = DeadLetter(
                    mapping: "m",
                    reason: "too large \(index)",
                    mqttTopic: "a/b",
                    kafkaTopic: "t",
                    key: ByteBuffer(string: "k"),
                    value: nil,
                    timestamp: Int64(index)
                )
                try await committed(store, store.submit(.insertDeadLetter(letter)))
            }
            let letters = try store.deadLetters(limit: 2)
            #expect(letters.map(\.reason) == ["too large 2", "too large 1"])
            #expect(letters.first?.key == ByteBuffer(string: "k"))
            #expect(letters.first?.value == nil)
        }
    }
}
