import GRDB
public import HydraguardLog

extension Store {
    /// Inserts request records in one transaction (the gateway's group commit).
    public func insertUsage(_ events: [UsageEvent]) throws {
        guard !events.isEmpty else { return }
        try writer.write { db in
            for event in events { try UsageRow(event).insert(db) }
        }
    }

    /// Async form for the gateway's writer: the write runs on GRDB's writer queue, not the caller's thread.
    public func insertUsage(_ events: [UsageEvent]) async throws {
        guard !events.isEmpty else { return }
        try await writer.write { db in
            for event in events { try UsageRow(event).insert(db) }
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
