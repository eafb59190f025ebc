import Dispatch
import Foundation
import GRDB
import NIOCore

// Reads of the MQTT → Kafka spool and the dead letters. Writes go through `submit` like every
// other change, so they share its group commit and its order.
extension DurableStore {
    /// Records, bytes and oldest timestamp per mapping, plus the highest sequence in the spool
    /// (0 when empty), read when the bridge starts.
    public func spoolSummary() throws(StoreError) -> (mappings: [String: SpoolSummary], maximumSequence: Int64) {
        do {
            return try database.read { db in
                var summaries: [String: SpoolSummary] = [:]
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT mapping, COUNT(*) AS n, SUM(size) AS bytes, MIN(timestamp) AS oldest FROM spool GROUP BY mapping"
                )
                for row in rows {
                    let count: Int64 = row["n"]
                    let bytes: Int64 = row["bytes"] ?? 0
                    summaries[row["mapping"]] = SpoolSummary(
                        records: Int(count),
                        bytes: Int(bytes),
                        oldestTimestamp: row["oldest"]
                    )
                }
                let maximum = try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM spool") ?? 0
                return (summaries, maximum)
            }
        } catch {
            throw StoreError(.openFailed, "cannot read the spool at \(path): \(error)")
        }
    }

    /// Up to `limit` spooled records of `mapping` with a sequence above `sequence`, in order.
    /// Sees only committed changes; runs off the caller's thread.
    public func spooledRecords(
        of mapping: String,
        after sequence: Int64,
        limit: Int
    ) async throws(StoreError)
        -> [SpooledRecord]
    {
        let database = self.database
        let path = self.path
        let result: Result<[SpooledRecord], StoreError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    let records = try database.read { db in
                        try Row.fetchAll(
                            db,
                            sql: """
                                SELECT sequence, topic, key, value, headers, timestamp FROM spool
                                WHERE mapping = ? AND sequence > ? ORDER BY sequence LIMIT ?
                                """,
                            arguments: [mapping, sequence, limit]
                        ).map { row in try Self.spooledRecord(row, mapping: mapping) }
                    }
                    continuation.resume(returning: .success(records))
                } catch let error as StoreError {
                    continuation.resume(returning: .failure(error))
                } catch {
                    continuation.resume(
                        returning: .failure(StoreError(.readFailed, "cannot read the spool at \(path): \(error)"))
                    )
                }
            }
        }
        return try result.get()
    }

    /// The newest `limit` dead letters, newest first (for `tributary dead-letters`).
    public func deadLetters(limit: Int) throws(StoreError) -> [DeadLetter] {
        do {
            return try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM dead_letters ORDER BY id DESC LIMIT ?",
                    arguments: [limit]
                ).map { row in
                    let key: Data? = row["key"]
                    let value: Data? = row["value"]
                    return DeadLetter(
                        mapping: row["mapping"],
                        reason: row["reason"],
                        mqttTopic: row["mqtt_topic"],
                        kafkaTopic: row["kafka_topic"],
                        key: key.map { ByteBuffer(bytes: $0) },
                        value: value.map { ByteBuffer(bytes: $0) },
                        timestamp: row["timestamp"]
                    )
                }
            }
        } catch {
            throw StoreError(.readFailed, "cannot read the dead letters at \(path): \(error)")
        }
    }

    private static func spooledRecord(_ row: Row, mapping: String) throws -> SpooledRecord {
        let key: Data? = row["key"]
        let value: Data? = row["value"]
        let headerBytes: Data = row["headers"]
        let sequence: Int64 = row["sequence"]
        guard let headers = SpooledHeaderCoding.decode(Array(headerBytes)) else {
            throw StoreError(.readFailed, "spooled record \(sequence) has unreadable headers")
        }
        return SpooledRecord(
            sequence: sequence,
            mapping: mapping,
            topic: row["topic"],
            key: key.map { ByteBuffer(bytes: $0) },
            value: value.map { ByteBuffer(bytes: $0) },
            headers: headers,
            timestamp: row["timestamp"]
        )
    }
}
