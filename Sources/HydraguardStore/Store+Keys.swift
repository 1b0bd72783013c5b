import GRDB

/// A key just made: `secret` is shown once and never stored.
public struct CreatedKey: Sendable, Hashable {
    public var key: APIKeyRow
    public var secret: String
}

/// Who a presented secret belongs to, with everything the gateway needs to decide on the request.
public struct Principal: Sendable, Hashable {
    public var key: APIKeyRow
    public var account: AccountRow
    public var org: OrgRow?
    public var verdict: VerdictRow?
}

extension Store {
    /// Makes a key for an existing account; records a `created` event.
    public func createKey(accountID: String, name: String? = nil, actor: String = "cli") throws -> CreatedKey {
        try writer.write { db in try Self.createKey(db, hasher: hasher, accountID: accountID, name: name, actor: actor) }
    }

    static func createKey(
        _ db: Database, hasher: KeyHasher, accountID: String, name: String?, actor: String
    ) throws -> CreatedKey {
        guard try AccountRow.exists(db, key: accountID) else {
            throw StoreError.notFound("no account `\(accountID)`: create it first")
        }
        let (id, secret) = hasher.newKey()
        let now = Store.now()
        let row = APIKeyRow(
            id: id, accountID: accountID, secretHash: hasher.hash(secret), name: name, createdAt: now, revokedAt: nil)
        try row.insert(db)
        try KeyEventRow(keyID: id, action: "created", at: now, replacedBy: nil, actor: actor).insert(db)
        return CreatedKey(key: row, secret: secret)
    }

    /// Revokes a key (idempotent only in error: revoking twice throws `conflict`); records a `revoked` event.
    public func revokeKey(id: String, actor: String = "cli") throws {
        try writer.write { db in
            guard var row = try APIKeyRow.fetchOne(db, key: id) else { throw StoreError.notFound("no key `\(id)`") }
            guard row.revokedAt == nil else { throw StoreError.conflict("key `\(id)` is already revoked") }
            row.revokedAt = Store.now()
            try row.update(db)
            try KeyEventRow(keyID: id, action: "revoked", at: row.revokedAt!, replacedBy: nil, actor: actor).insert(db)
        }
    }

    /// Replaces a key with a new one for the same account, in one transaction; records a `rotated` event
    /// on the old key naming the new one.
    public func rotateKey(id: String, actor: String = "cli") throws -> CreatedKey {
        try writer.write { db in
            guard var old = try APIKeyRow.fetchOne(db, key: id) else { throw StoreError.notFound("no key `\(id)`") }
            guard old.revokedAt == nil else { throw StoreError.conflict("key `\(id)` is revoked") }
            let created = try Self.createKey(db, hasher: hasher, accountID: old.accountID, name: old.name, actor: actor)
            old.revokedAt = Store.now()
            try old.update(db)
            try KeyEventRow(keyID: id, action: "rotated", at: old.revokedAt!, replacedBy: created.key.id, actor: actor)
                .insert(db)
            return created
        }
    }

    public func keys(accountID: String? = nil) throws -> [APIKeyRow] {
        try writer.read { db in
            var request = APIKeyRow.order(APIKeyRow.Columns.id)
            if let accountID { request = request.filter(APIKeyRow.Columns.accountID == accountID) }
            return try request.fetchAll(db)
        }
    }

    /// A key's history, oldest first.
    public func keyEvents(keyID: String) throws -> [KeyEventRow] {
        try writer.read { db in
            try KeyEventRow.filter(KeyEventRow.Columns.keyID == keyID).order(Column("seq")).fetchAll(db)
        }
    }

    /// The principal behind a presented secret, or nil when the secret is unknown, malformed or revoked.
    /// The hash comparison is constant-time.
    public func authenticate(secret: String) throws -> Principal? {
        guard let id = KeyHasher.keyID(inSecret: secret), let principal = try principal(keyID: id) else {
            return nil
        }
        guard hasher.matches(secret, principal.key.secretHash), !principal.key.isRevoked else { return nil }
        return principal
    }

    /// Key, account, org and verdict for a key id, in one read (no secret check: callers do it).
    public func principal(keyID: String) throws -> Principal? {
        try writer.read { db in
            guard let key = try APIKeyRow.fetchOne(db, key: keyID),
                let account = try AccountRow.fetchOne(db, key: key.accountID)
            else { return nil }
            let org = try account.orgID.flatMap { try OrgRow.fetchOne(db, key: $0) }
            let verdict = try VerdictRow.fetchOne(db, key: account.id)
            return Principal(key: key, account: account, org: org, verdict: verdict)
        }
    }
}

extension Store {
    /// ``principal(keyID:)`` off the caller's thread (the gateway's request path).
    public func principalAsync(keyID: String) async throws -> Principal? {
        try await writer.read { db in
            guard let key = try APIKeyRow.fetchOne(db, key: keyID),
                let account = try AccountRow.fetchOne(db, key: key.accountID)
            else { return nil }
            let org = try account.orgID.flatMap { try OrgRow.fetchOne(db, key: $0) }
            let verdict = try VerdictRow.fetchOne(db, key: account.id)
            return Principal(key: key, account: account, org: org, verdict: verdict)
        }
    }
}
