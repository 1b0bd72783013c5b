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
            text(e.tlsFingerprint)
            let code = sqlite3_step(s)
            guard code == SQLITE_DONE else {
                let message = db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: insertSQL)
            }
        }
    }

    static let insertSQL =
        "INSERT INTO usage_events (ts, ts_us, request_id, account_id, org_id, key_id, ip, user_agent, endpoint, "
        + "model, status, input_tokens, output_tokens, latency_ms, stream, thinking, max_tokens, tools, system, prompt, "
        + "tls_fp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

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

    /// The records that arrived at or after `since` (all of them when nil), in the order they were stored,
    /// `batchSize` at a time: call ``UsageBatches/next()`` until it returns nil.
    ///
    /// ```swift
    /// var batches = store.usageBatches(since: Timestamp(rfc3339: "2026-04-01T00:00:00Z"))
    /// while let batch = try batches.next() { ingest.add(batch) }
    /// ```
    public func usageBatches(since: Timestamp? = nil, batchSize: Int = 10_000) -> UsageBatches {
        precondition(batchSize > 0, "batchSize must be positive")
        return UsageBatches(writer: writer, since: since, batchSize: batchSize)
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

/// A read of the store's records in batches (``Store/usageBatches(since:batchSize:)``). Each batch is read
/// in a read transaction of its own, so that a long read (an audit of weeks of records) holds back
/// neither the gateway's commits nor its checkpoints; records committed while it reads are included up to
/// the batch that reaches them.
public struct UsageBatches {
    let writer: any DatabaseWriter
    let since: Timestamp?
    let batchSize: Int
    /// The last `seq` read; nil before the first batch, `Int64.max` once nothing is left.
    private var after: Int64?

    init(writer: any DatabaseWriter, since: Timestamp?, batchSize: Int) {
        self.writer = writer
        self.since = since
        self.batchSize = batchSize
    }

    /// The columns after `seq`, in the order ``next()`` reads them.
    static let columns =
        "ts_us, request_id, account_id, org_id, key_id, ip, user_agent, endpoint, model, status, input_tokens, "
        + "output_tokens, latency_ms, stream, thinking, max_tokens, tools, system, prompt, tls_fp"

    /// The next batch, or nil when every record was read.

    public mutating func next() throws -> [UsageEvent]? {
        let since = self.since
        if after == nil {
            // Where the window starts: one pass over the timestamps, without reading the rest of a row.
            after = try writer.read { db in
                guard let since else { return 0 }
                let first = try Int64.fetchOne(
                    db, sql: "SELECT min(seq) FROM usage_events WHERE ts_us >= ?", arguments: [since.microseconds])
                return first.map { $0 - 1 } ?? Int64.max
            }
        }
        guard let start = after, start < Int64.max else { return nil }
        let limit = batchSize
        let (events, last): ([UsageEvent], Int64?) = try writer.read { db in
            // Records are stored as they end, so one that began before `since` can follow the first after it.
            var sql = "SELECT seq, " + Self.columns + " FROM usage_events WHERE seq > ?"
            var arguments: StatementArguments = [start]
            if let since {
                sql += " AND ts_us >= ?"
                arguments += [since.microseconds]
            }
            arguments += [limit]
            // Columns by position, not through Codable: the read is the audit's bottleneck.
            let cursor = try Row.fetchCursor(db, sql: sql + " ORDER BY seq LIMIT ?", arguments: arguments)
            var events: [UsageEvent] = []
            events.reserveCapacity(limit)
            var last: Int64?
            while let row = try cursor.next() {
                last = row[0]
                events.append(
                    UsageEvent(
                        ts: Timestamp(microseconds: row[1]), requestID: row[2], accountID: row[3], orgID: row[4],
                        keyID: row[5], ip: row[6], userAgent: row[7], tlsFingerprint: row[20], endpoint: row[8],
                        model: row[9], status: row[10], inputTokens: row[11], outputTokens: row[12],
                        latencyMs: row[13], stream: row[14], thinking: row[15], maxTokens: row[16], tools: row[17],
                        system: row[18], prompt: row[19]))
            }
            return (events, last)
        }
        guard let last else {
            after = Int64.max
            return nil
        }
        after = last
        return events
    }
}
