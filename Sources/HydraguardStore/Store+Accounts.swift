import GRDB
import HydraguardLog

extension Store {
    /// Creates or replaces an account.
    public func upsertAccount(_ account: AccountRow) throws {
        try writer.write { db in try account.upsert(db) }
    }

    /// Creates or replaces an organisation.
    public func upsertOrg(_ org: OrgRow) throws {
        try writer.write { db in try org.upsert(db) }
    }

    public func account(id: String) throws -> AccountRow? {
        try writer.read { db in try AccountRow.fetchOne(db, key: id) }
    }

    public func org(id: String) throws -> OrgRow? {
        try writer.read { db in try OrgRow.fetchOne(db, key: id) }
    }

    public func accounts(limit: Int = 1000) throws -> [AccountRow] {
        try writer.read { db in try AccountRow.order(AccountRow.Columns.id).limit(limit).fetchAll(db) }
    }

    public func orgs(limit: Int = 1000) throws -> [OrgRow] {
        try writer.read { db in try OrgRow.order(OrgRow.Columns.id).limit(limit).fetchAll(db) }
    }
}
