public import GRDB

/// An API key: its public id, the account it bills to, and a keyed hash (HMAC-SHA256) of its secret.
///
/// The secret itself is never stored; ``KeyHasher`` computes `secretHash` from it.
public struct APIKeyRow: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_keys"

    public var id: String
    public var accountID: String
    /// Hex HMAC-SHA256 of the secret under the store's key-hash secret.
    public var secretHash: String
    public var name: String?
    public var createdAt: Double
    public var revokedAt: Double?

    enum CodingKeys: String, CodingKey {
        case id
        case accountID = "account_id"
        case secretHash = "secret_hash"
        case name
        case createdAt = "created_at"
        case revokedAt = "revoked_at"
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let accountID = Column(CodingKeys.accountID)
        public static let revokedAt = Column(CodingKeys.revokedAt)
    }

    public var isRevoked: Bool { revokedAt != nil }
}

/// One line of a key's history: created, revoked, or rotated (revoked in favour of `replacedBy`).
public struct KeyEventRow: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "key_events"

    public var keyID: String
    public var action: String
    public var at: Double
    public var replacedBy: String?
    public var actor: String

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id"
        case action, at
        case replacedBy = "replaced_by"
        case actor
    }

    public enum Columns {
        public static let keyID = Column(CodingKeys.keyID)
        public static let at = Column(CodingKeys.at)
    }
}
