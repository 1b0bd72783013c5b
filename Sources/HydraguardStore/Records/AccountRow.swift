public import GRDB
public import Foundation
public import HydraguardLog

/// An account in the store: who a key bills to, and its verification tier.
///
/// ```swift
/// try store.upsertAccount(AccountRow(id: "acct_1", orgID: "org_1", tier: .card))
/// ```
public struct AccountRow: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "accounts"

    public var id: String
    public var orgID: String?
    public var tier: String
    public var createdAt: Double

    enum CodingKeys: String, CodingKey {
        case id
        case orgID = "org_id"
        case tier
        case createdAt = "created_at"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let orgID = Column(CodingKeys.orgID)
        public static let tier = Column(CodingKeys.tier)
    }

    public init(id: String, orgID: String? = nil, tier: Tier, createdAt: Timestamp = Timestamp(secondsSince1970: Date().timeIntervalSince1970)) {
        self.id = id
        self.orgID = orgID
        self.tier = tier.rawValue
        self.createdAt = createdAt.secondsSince1970
    }

    /// The tier, `free` when the stored text is not one the spec knows.
    public var verificationTier: Tier { Tier(rawValue: tier) ?? .free }
}

/// An organisation: accounts grouped under one contract, with its own tier.
public struct OrgRow: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "orgs"

    public var id: String
    public var tier: String
    public var createdAt: Double

    enum CodingKeys: String, CodingKey {
        case id, tier
        case createdAt = "created_at"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let tier = Column(CodingKeys.tier)
    }

    public init(id: String, tier: Tier, createdAt: Timestamp = Timestamp(secondsSince1970: Date().timeIntervalSince1970)) {
        self.id = id
        self.tier = tier.rawValue
        self.createdAt = createdAt.secondsSince1970
    }

    public var verificationTier: Tier { Tier(rawValue: tier) ?? .free }
}
