public import Foundation
public import GRDB
import HydraguardLog

/// The gateway's embedded store: accounts, organisations, API keys (hashed) with their history,
/// verdicts, and one usage record per request. SQLite through GRDB, in WAL mode on disk.
///
/// ```swift
/// let store = try Store(path: "hydraguard.sqlite", keyHashSecret: Data("pepper".utf8))
/// try store.upsertAccount(AccountRow(id: "acct_1", tier: .card))
/// let created = try store.createKey(accountID: "acct_1")
/// print(created.secret)   // shown once; only its HMAC is stored
/// ```
///
/// Durability: on disk, every write is a transaction committed to the write-ahead log before the call
/// returns. With `synchronousFull: false` (the default), a process crash loses no committed
/// transaction; an operating-system crash or power loss can lose the last ones. With `true`, each
/// commit is fsynced.
public final class Store: Sendable {
    public let writer: any DatabaseWriter
    public let hasher: KeyHasher
    /// With background checkpoints: the connection that copies the log into the database, so that the
    /// writer's commits never wait for it (nor for the fsync that ends it).
    private let checkpointer: DatabaseQueue?

    /// Opens (creating if needed) the store at `path` in WAL mode and migrates it.
    ///
    /// With `backgroundCheckpoints`, commits do not checkpoint the log themselves: the owner calls
    /// ``checkpoint()`` from time to time instead (the gateway does, every second), off the commit path.
    public init(path: String, keyHashSecret: Data, synchronousFull: Bool = false, backgroundCheckpoints: Bool = false)
        throws
    {
        var config = Configuration()
        config.busyMode = .timeout(5)
        let sync = synchronousFull ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(sync)")
            if backgroundCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        }
        writer = try DatabasePool(path: path, configuration: config)
        hasher = KeyHasher(secret: keyHashSecret)
        try Store.migrator.migrate(writer)
        if backgroundCheckpoints {
            var checkpointConfig = Configuration()
            checkpointConfig.busyMode = .timeout(5)
            checkpointer = try DatabaseQueue(path: path, configuration: checkpointConfig)
        } else {
            checkpointer = nil
        }
    }

    /// Copies what the log holds into the database, on the checkpoint connection's own queue: first
    /// without blocking writers (passive); then, if the log has grown past `restartFrames` because
    /// commits kept landing behind the copy, once more with writers held for the little that is left, so
    /// that the log starts over (restart). Returns the log's frames and those copied by the first pass.
    /// Without background checkpoints, or in memory, it does nothing and returns nil.
    @discardableResult
    public func checkpoint(restartFrames: Int = 4000) async throws -> (logFrames: Int, copied: Int)? {
        guard let checkpointer else { return nil }
        return try await checkpointer.writeWithoutTransaction { db in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")
            let frames: Int = row?[1] ?? 0
            if frames > restartFrames { try db.execute(sql: "PRAGMA wal_checkpoint(RESTART)") }
            return (logFrames: frames, copied: row?[2] ?? 0)
        }
    }

    /// An in-memory store, for tests.
    public init(inMemoryWithKeyHashSecret secret: Data) throws {
        writer = try DatabaseQueue()
        checkpointer = nil
        hasher = KeyHasher(secret: secret)
        try Store.migrator.migrate(writer)
    }

    /// The journal mode SQLite reports (`wal` for a store on disk).
    public func journalMode() throws -> String {
        try writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "orgs") { t in
                t.primaryKey("id", .text)
                t.column("tier", .text).notNull()
                t.column("created_at", .double).notNull()
            }
            try db.create(table: "accounts") { t in
                t.primaryKey("id", .text)
                t.column("org_id", .text).indexed()
                t.column("tier", .text).notNull()
                t.column("created_at", .double).notNull()
            }
            try db.create(table: "api_keys") { t in
                t.primaryKey("id", .text)
                t.column("account_id", .text).notNull().indexed().references("accounts", onDelete: .cascade)
                t.column("secret_hash", .text).notNull()
                t.column("name", .text)
                t.column("created_at", .double).notNull()
                t.column("revoked_at", .double)
            }
            try db.create(table: "key_events") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("key_id", .text).notNull().indexed()
                t.column("action", .text).notNull()
                t.column("at", .double).notNull()
                t.column("replaced_by", .text)
                t.column("actor", .text).notNull()
            }
            try db.create(table: "verdicts") { t in
                t.primaryKey("account_id", .text)
                t.column("verdict", .text).notNull()
                t.column("source", .text).notNull()
                t.column("reason", .text)
                t.column("risk", .double)
                t.column("updated_at", .double).notNull()
            }
            try db.create(table: "usage_events") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("ts", .text).notNull()
                t.column("ts_us", .integer).notNull()
                t.column("request_id", .text).notNull()
                t.column("account_id", .text).notNull()
                t.column("org_id", .text)
                t.column("key_id", .text).notNull()
                t.column("ip", .text).notNull()
                t.column("user_agent", .text)
                t.column("endpoint", .text)
                t.column("model", .text).notNull()
                t.column("status", .integer).notNull()
                t.column("input_tokens", .integer).notNull()
                t.column("output_tokens", .integer).notNull()
                t.column("latency_ms", .integer)
                t.column("stream", .boolean)
                t.column("thinking", .boolean)
                t.column("max_tokens", .integer)
                t.column("tools", .integer)
                t.column("system", .text)
                t.column("prompt", .text)
            }
            try db.create(index: "usage_events_account_ts", on: "usage_events", columns: ["account_id", "ts_us"])
        }
        migrator.registerMigration("v2-record-journal") { db in
            // How far the gateway's record journal is in usage_events: every record before this byte of this
            // generation file, committed in the same transaction as they are.
            try db.create(table: "record_journal") { t in
                t.primaryKey("id", .integer).check { $0 == 1 }
                t.column("committed_generation", .integer).notNull()
                t.column("committed_offset", .integer).notNull()
            }
        }
        migrator.registerMigration("v3-tls-fingerprint") { db in
            // The client's TLS fingerprint (usage-log `tls_fp`), as a trusted proxy passes it.
            try db.alter(table: "usage_events") { t in t.add(column: "tls_fp", .text) }
        }
        return migrator
    }

    static func now() -> Double { Date().timeIntervalSince1970 }
}
