import GRDB

/// The tables of the embedded store. One migration per schema version; a database written by a
/// newer Tributary is refused rather than misread.
enum StoreSchema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        client_id TEXT PRIMARY KEY NOT NULL,
                        expiry_interval INTEGER NOT NULL,
                        disconnected_at INTEGER
                    );
                    CREATE TABLE subscriptions (
                        client_id TEXT NOT NULL,
                        filter TEXT NOT NULL,
                        options INTEGER NOT NULL,
                        identifier INTEGER,
                        PRIMARY KEY (client_id, filter)
                    );
                    CREATE TABLE deliveries (
                        id INTEGER PRIMARY KEY NOT NULL,
                        client_id TEXT NOT NULL,
                        topic TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        message_qos INTEGER NOT NULL,
                        message_retain INTEGER NOT NULL,
                        properties BLOB NOT NULL,
                        expires_at INTEGER,
                        qos INTEGER NOT NULL,
                        retain INTEGER NOT NULL,
                        subscription_identifiers TEXT NOT NULL,
                        share_name TEXT,
                        share_filter TEXT,
                        packet_id INTEGER,
                        phase INTEGER
                    );
                    CREATE INDEX deliveries_by_client ON deliveries (client_id, id);
                    CREATE TABLE incoming_qos2 (
                        client_id TEXT NOT NULL,
                        packet_id INTEGER NOT NULL,
                        PRIMARY KEY (client_id, packet_id)
                    );
                    CREATE TABLE retained (
                        topic TEXT PRIMARY KEY NOT NULL,
                        payload BLOB NOT NULL,
                        qos INTEGER NOT NULL,
                        properties BLOB NOT NULL,
                        expires_at INTEGER
                    );
                    """
            )
        }
        migrator.registerMigration("v2") { db in
            // The MQTT → Kafka spool (`sequence` is the arrival order) and the records Kafka
            // refused for good.
            try db.execute(
                sql: """
                    CREATE TABLE spool (
                        sequence INTEGER PRIMARY KEY NOT NULL,
                        mapping TEXT NOT NULL,
                        topic TEXT NOT NULL,
                        key BLOB,
                        value BLOB,
                        headers BLOB NOT NULL,
                        timestamp INTEGER NOT NULL,
                        size INTEGER NOT NULL
                    );
                    CREATE INDEX spool_by_mapping ON spool (mapping, sequence);
                    ALTER TABLE incoming_qos2 ADD COLUMN awaiting_kafka INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE dead_letters (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        mapping TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        mqtt_topic TEXT NOT NULL,
                        kafka_topic TEXT NOT NULL,
                        key BLOB,
                        value BLOB,
                        timestamp INTEGER NOT NULL
                    );
                    """
            )
        }
        return migrator
    }
}
