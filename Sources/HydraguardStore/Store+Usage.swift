import GRDB
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

    /// One cached statement for every row: the request path's records skip the Codable encoding of a
    /// record type, which cost more than SQLite's own work.
    static func insert(_ events: [UsageEvent], _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO usage_events (ts, ts_us, request_id, account_id, org_id, key_id, ip, user_agent, endpoint, "
                + "model, status, input_tokens, output_tokens, latency_ms, stream, thinking, max_tokens, tools, system, prompt) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for e in events {
            let values: [(any DatabaseValueConvertible)?] = [
                e.ts.rfc3339, e.ts.microseconds, e.requestID, e.accountID, e.orgID, e.keyID, e.ip, e.userAgent,
                e.endpoint, e.model, e.status, e.inputTokens, e.outputTokens, e.latencyMs, e.stream, e.thinking,
                e.maxTokens, e.tools, e.system, e.prompt,
            ]
            try statement.execute(arguments: StatementArguments(values))
        }
    }

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
