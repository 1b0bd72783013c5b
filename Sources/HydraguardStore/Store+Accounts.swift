import GRDB
public import HydraguardLog

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

    /// Every account, in the usage-log `accounts` shape (id, organisation, tier, creation time), for an
    /// audit of the store's records. The store keeps no payment, e-mail or sign-up fields: an audit that
    /// has them reads them from the provider's own accounts file as well.
    public func accountRecords() throws -> [AccountRecord] {
        try writer.read { db in
            try AccountRow.order(AccountRow.Columns.id).fetchAll(db).map { row in
                AccountRecord(
                    accountID: row.id, orgID: row.orgID, createdAt: Timestamp(secondsSince1970: row.createdAt),
                    tier: row.verificationTier)
            }
        }
    }
}
