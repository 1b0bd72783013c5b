import GRDB
import GRDBSQLite
public import HydraguardLog

extension Store {
    /// Inserts request records in one transaction (the gateway's group commit).
    public func insertUsage(_ events: [UsageEvent]) throws {
        guard !events.isEmpty else { return }
        try writer.write { db in try Self.insert(events, db) }
    }

    /// Async form for the gateway's writer: the write runs on GRDB's writer queue, not the caller's thread.
    public func insertUsage(_ events: [UsageEvent]) async throws {
        guard !events.isEmpty else { return }
        try await writer.write { db in try Self.insert(events, db) }
    }

    /// Inserts request records from the gateway's record journal and moves the journal's committed position
    /// to `journalPosition` (every record before that byte of that generation), in one transaction: the
    /// store and the position never disagree.
    public func insertUsage(_ events: [UsageEvent], journalPosition: JournalPosition) throws {
        try writer.write { db in
            try Self.insert(events, db)
            try db.execute(
                sql: "INSERT INTO record_journal (id, committed_generation, committed_offset) VALUES (1, ?, ?) "
                    + "ON CONFLICT(id) DO UPDATE SET committed_generation = excluded.committed_generation, "
                    + "committed_offset = excluded.committed_offset",
                arguments: [journalPosition.generation, journalPosition.offset])
        }
    }

    /// How far the record journal is committed (generation 0, offset 0 when nothing was).
    public func committedJournalPosition() throws -> JournalPosition {
        try writer.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT committed_generation, committed_offset FROM record_journal WHERE id = 1")
            return JournalPosition(generation: row?[0] ?? 0, offset: row?[1] ?? 0)
        }
    }

    /// One cached statement for every row, its values bound straight to SQLite: the request path's
    /// records skip both the Codable encoding of a record type and GRDB's argument boxing, which together
    /// cost more than SQLite's own work.
    static func insert(_ events: [UsageEvent], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: insertSQL)
        let s = statement.sqliteStatement
        defer {
            sqlite3_reset(s)
            sqlite3_clear_bindings(s)
        }
        var stamp: [UInt8] = []
        stamp.reserveCapacity(32)
        for e in events {
            sqlite3_reset(s)
            var column: Int32 = 0
            func text(_ value: String?) {
                column += 1
                guard var value else {
                    sqlite3_bind_null(s, column)
                    return
                }
                value.withUTF8 { bytes in
                    _ = sqlite3_bind_text(s, column, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
                }
            }
            func integer(_ value: Int?) {
                column += 1
                if let value { sqlite3_bind_int64(s, column, Int64(value)) } else { sqlite3_bind_null(s, column) }
            }
            func boolean(_ value: Bool?) { integer(value.map { $0 ? 1 : 0 }) }
            column += 1
            stamp.removeAll(keepingCapacity: true)
            e.ts.appendRFC3339(to: &stamp)
            stamp.withUnsafeBufferPointer { bytes in
                _ = sqlite3_bind_text(s, column, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
            }
            integer(Int(e.ts.microseconds))
            text(e.requestID)
            text(e.accountID)
            text(e.orgID)
            text(e.keyID)
            text(e.ip)
            text(e.userAgent)
            text(e.endpoint)
            text(e.model)
            integer(e.status)
            integer(e.inputTokens)
            integer(e.outputTokens)
            integer(e.latencyMs)
            boolean(e.stream)
            boolean(e.thinking)
            integer(e.maxTokens)
            integer(e.tools)
            text(e.system)
            text(e.prompt)
            let code = sqlite3_step(s)
            guard code == SQLITE_DONE else {
                let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: insertSQL)
            }
        }
    }

    static let insertSQL =
        "INSERT INTO usage_events (ts, ts_us, request_id, account_id, org_id, key_id, ip, user_agent, endpoint, "
        + "model, status, input_tokens, output_tokens, latency_ms, stream, thinking, max_tokens, tools, system, prompt) "
        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    /// The latest records, newest first, optionally for one account.
    public func usage(accountID: String? = nil, limit: Int = 100) throws -> [UsageEvent] {
        try writer.read { db in
            var request = UsageRow.order(Column("seq").desc).limit(limit)
            if let accountID { request = request.filter(UsageRow.Columns.accountID == accountID) }
            return try request.fetchAll(db).map(\.event)
        }
    }

    public func usageCount() throws -> Int {
        try writer.read { db in try UsageRow.fetchCount(db) }
    }
}

/// A place in the gateway's record journal: a byte of a generation file.
public struct JournalPosition: Sendable, Hashable, Comparable {
    public var generation: Int
    public var offset: Int

    public init(generation: Int, offset: Int) {
        self.generation = generation
        self.offset = offset
    }

    public static func < (a: JournalPosition, b: JournalPosition) -> Bool {
        (a.generation, a.offset) < (b.generation, b.offset)
    }
}

/// SQLite copies the bound bytes (`SQLITE_TRANSIENT`, a macro Swift cannot import).
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
