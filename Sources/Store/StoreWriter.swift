import BrokerCore
import Foundation
import GRDB
import NIOCore

/// Applies one batch of operations inside one transaction.
///
/// Deliveries are the hot path: a message queued for an online subscriber is usually
/// acknowledged within the same few milliseconds, so its insert and its delete arrive in the same
/// batch. The writer holds inserts back to the end of the batch and lets a later delete (or the
/// end of the session) cancel them, so such a message never touches the disk.
struct StoreWriter {
    /// An insert held back to the end of the batch.
    private struct PendingInsert {
        enum Source {
            case stored(StoredDelivery)
            case live(Delivery)
        }

        var clientID: String
        var source: Source
        var packetID: UInt16?
        var phase: StoredDelivery.Phase?

        func row(wallClockMilliseconds: Int64, monotonicNow: NIODeadline) -> StoredDelivery? {
            var row: StoredDelivery?
            switch source {
            case .stored(let stored):
                row = stored
            case .live(let delivery):
                row = StoredDelivery(delivery, wallClockMilliseconds: wallClockMilliseconds, monotonicNow: monotonicNow)
            }
            if packetID != nil {
                row?.packetID = packetID
                row?.phase = phase
            }
            return row
        }
    }

    private var pendingInserts: [Int64: PendingInsert] = [:]
    private var insertOrder: [Int64] = []

    static func apply(_ operations: [StoreOperation], in db: Database) throws {
        var writer = StoreWriter()
        for operation in operations {
            try writer.apply(operation, in: db)
        }
        try writer.flushInserts(in: db)
    }

    private mutating func apply(_ operation: StoreOperation, in db: Database) throws {
        switch operation {
        case .saveSession(let clientID, let expiryInterval, let disconnectedAt):
            try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO sessions (client_id, expiry_interval, disconnected_at) VALUES (?, ?, ?)"
            ).execute(arguments: [clientID, Int64(expiryInterval), disconnectedAt])
        case .deleteSession(let clientID):
            for id in insertOrder where pendingInserts[id]?.clientID == clientID {
                pendingInserts[id] = nil
            }
            for table in ["sessions", "subscriptions", "deliveries", "incoming_qos2"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE client_id = ?").execute(arguments: [clientID])
            }
        case .saveSubscription(let clientID, let subscription):
            try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO subscriptions (client_id, filter, options, identifier) VALUES (?, ?, ?, ?)"
            ).execute(arguments: [
                clientID, subscription.filter, Int64(subscription.optionsByte),
                subscription.identifier.map { Int64($0) },
            ])
        case .deleteSubscription(let clientID, let filter):
            try db.cachedStatement(sql: "DELETE FROM subscriptions WHERE client_id = ? AND filter = ?")
                .execute(arguments: [clientID, filter])
        case .insertDelivery(let clientID, let delivery):
            holdInsert(id: delivery.id, PendingInsert(clientID: clientID, source: .stored(delivery)))
        case .queueDelivery(let clientID, let delivery):
            guard let id = delivery.storageID else { return }
            holdInsert(id: id, PendingInsert(clientID: clientID, source: .live(delivery)))
        case .markInflight(let id, let packetID, let phase):
            if pendingInserts[id] != nil {
                pendingInserts[id]!.packetID = packetID
                pendingInserts[id]!.phase = phase
            } else {
                try db.cachedStatement(sql: "UPDATE deliveries SET packet_id = ?, phase = ? WHERE id = ?")
                    .execute(arguments: [Int64(packetID), Int64(phase.rawValue), id])
            }
        case .deleteDelivery(let id):
            if pendingInserts.removeValue(forKey: id) == nil {
                try db.cachedStatement(sql: "DELETE FROM deliveries WHERE id = ?").execute(arguments: [id])
            }
        case .insertIncomingQoS2(let clientID, let packetID):
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO incoming_qos2 (client_id, packet_id) VALUES (?, ?)")
                .execute(arguments: [clientID, Int64(packetID)])
        case .insertIncomingQoS2AwaitingKafka(let clientID, let packetID):
            try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO incoming_qos2 (client_id, packet_id, awaiting_kafka) VALUES (?, ?, 1)"
            ).execute(arguments: [clientID, Int64(packetID)])
        case .markIncomingQoS2Forwarded(let clientID, let packetID):
            try db.cachedStatement(
                sql: "UPDATE incoming_qos2 SET awaiting_kafka = 0 WHERE client_id = ? AND packet_id = ?"
            ).execute(arguments: [clientID, Int64(packetID)])
        case .deleteIncomingQoS2(let clientID, let packetID):
            try db.cachedStatement(sql: "DELETE FROM incoming_qos2 WHERE client_id = ? AND packet_id = ?")
                .execute(arguments: [clientID, Int64(packetID)])
        case .saveRetained(let message):
            try db.cachedStatement(
                sql:
                    "INSERT OR REPLACE INTO retained (topic, payload, qos, properties, expires_at) VALUES (?, ?, ?, ?, ?)"
            ).execute(arguments: [
                message.topic, Data(message.payload), Int64(message.qos), Data(message.properties), message.expiresAt,
            ])
        case .deleteRetained(let topic):
            try db.cachedStatement(sql: "DELETE FROM retained WHERE topic = ?").execute(arguments: [topic])
        case .insertSpooled(let record):
            try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO spool (sequence, mapping, topic, key, value, headers, timestamp, size)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                record.sequence, record.mapping, record.topic, record.key.map { Data($0.readableBytesView) },
                record.value.map { Data($0.readableBytesView) }, Data(SpooledHeaderCoding.encode(record.headers)),
                record.timestamp, record.size,
            ])
        case .deleteSpooled(let sequence):
            try db.cachedStatement(sql: "DELETE FROM spool WHERE sequence = ?").execute(arguments: [sequence])
        case .insertDeadLetter(let letter):
            try db.cachedStatement(
                sql: """
                    INSERT INTO dead_letters (mapping, reason, mqtt_topic, kafka_topic, key, value, timestamp)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                letter.mapping, letter.reason, letter.mqttTopic, letter.kafkaTopic,
                letter.key.map { Data($0.readableBytesView) }, letter.value.map { Data($0.readableBytesView) },
                letter.timestamp,
            ])
        }
    }

    private mutating func holdInsert(id: Int64, _ insert: PendingInsert) {
        if pendingInserts.updateValue(insert, forKey: id) == nil {
            insertOrder.append(id)
        }
    }

    private mutating func flushInserts(in db: Database) throws {
        guard !pendingInserts.isEmpty else { return }
        let wallClock = Int64((Date().timeIntervalSince1970 * 1_000).rounded())
        let now = NIODeadline.now()
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO deliveries (id, client_id, topic, payload, message_qos, message_retain,
                    properties, expires_at, qos, retain, subscription_identifiers, share_name, share_filter,
                    packet_id, phase)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for id in insertOrder {
            guard let pending = pendingInserts[id],
                let delivery = pending.row(wallClockMilliseconds: wallClock, monotonicNow: now)
            else { continue }
            let clientID = pending.clientID
            let message = delivery.message
            try statement.execute(arguments: [
                delivery.id, clientID, message.topic, Data(message.payload), Int64(message.qos), message.retain,
                Data(message.properties), message.expiresAt, Int64(delivery.qos), delivery.retain,
                delivery.subscriptionIdentifiers.map(String.init).joined(separator: ","),
                delivery.sharedGroup?.shareName, delivery.sharedGroup?.filter,
                delivery.packetID.map { Int64($0) }, delivery.phase.map { Int64($0.rawValue) },
            ])
        }
        pendingInserts.removeAll()
        insertOrder.removeAll()
    }
}
