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
        return migrator
    }
}
