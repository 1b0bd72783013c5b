import Foundation
import GRDB
import HydraguardLog
import HydraguardStore
import Testing

private func makeStore() throws -> Store {
    let store = try Store(inMemoryWithKeyHashSecret: Data("test pepper".utf8))
    try store.upsertOrg(OrgRow(id: "org_1", tier: .enterprise))
    try store.upsertAccount(AccountRow(id: "acct_1", orgID: "org_1", tier: .card))
    try store.upsertAccount(AccountRow(id: "acct_2", tier: .free))
    return store
}

@Test func createdKeyAuthenticatesAndOnlyItsHashIsStored() throws {
    let store = try makeStore()
    let created = try store.createKey(accountID: "acct_1", name: "laptop")
    #expect(created.secret.hasPrefix("hg_\(created.key.id)_"))
    let principal = try #require(try store.authenticate(secret: created.secret))
    #expect(principal.account.id == "acct_1")
    #expect(principal.org?.id == "org_1")
    #expect(principal.org?.verificationTier == .enterprise)
    // Nothing in the database contains the secret.
    let rows = try store.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys") }
    #expect(rows.count == 1)
    for row in rows {
        for (_, value) in row { #expect(!String(describing: value).contains(created.secret)) }
    }
    #expect(created.key.secretHash == store.hasher.hash(created.secret))
    #expect(created.key.secretHash.count == 64)
}

@Test func wrongSecretsAreRejected() throws {
    let store = try makeStore()
    let created = try store.createKey(accountID: "acct_1")
    var tampered = created.secret
    tampered.removeLast()
    tampered.append(created.secret.last == "a" ? "b" : "a")
    #expect(try store.authenticate(secret: tampered) == nil)
    #expect(try store.authenticate(secret: "hg_key_nothere_abc") == nil)
    #expect(try store.authenticate(secret: "sk-not-ours") == nil)
    #expect(try store.authenticate(secret: "") == nil)
    // Another store with another pepper does not accept the secret.
    let other = try Store(inMemoryWithKeyHashSecret: Data("other".utf8))
    #expect(!other.hasher.matches(created.secret, created.key.secretHash))
}

@Test func revokedKeysStopWorkingAndHistoryIsRecorded() throws {
    let store = try makeStore()
    let created = try store.createKey(accountID: "acct_1")
    try store.revokeKey(id: created.key.id, actor: "admin")
    #expect(try store.authenticate(secret: created.secret) == nil)
    #expect(throws: StoreError.self) { try store.revokeKey(id: created.key.id) }
    let history = try store.keyEvents(keyID: created.key.id)
    #expect(history.map(\.action) == ["created", "revoked"])
    #expect(history.last?.actor == "admin")
}

@Test func rotationReplacesTheKeyAndRecordsTheSuccessor() throws {
    let store = try makeStore()
    let old = try store.createKey(accountID: "acct_2")
    let new = try store.rotateKey(id: old.key.id)
    #expect(new.key.accountID == "acct_2")
    #expect(new.key.id != old.key.id)
    #expect(try store.authenticate(secret: old.secret) == nil)
    #expect(try store.authenticate(secret: new.secret)?.key.id == new.key.id)
    let history = try store.keyEvents(keyID: old.key.id)
    #expect(history.last?.action == "rotated")
    #expect(history.last?.replacedBy == new.key.id)
    #expect(try store.keyEvents(keyID: new.key.id).map(\.action) == ["created"])
}

@Test func keysNeedAnExistingAccount() throws {
    let store = try makeStore()
    do {
        _ = try store.createKey(accountID: "nobody")
        Issue.record("expected an error")
    } catch let error as StoreError {
        #expect(error.isNotFound)
        #expect(error.message.contains("nobody"))
    }
}

@Test func auditFindingsSetVerdictsAndClearStaleOnes() throws {
    let store = try makeStore()
    try store.setVerdict(accountID: "acct_9", verdict: .block, source: "admin", reason: "manual")
    let first = Findings(
        generatedAt: "2026-01-01T00:00:00Z", window: .init(from: "a", to: "b"),
        accounts: [
            .init(accountID: "acct_1", risk: 0.9, verdict: .challenge, campaign: nil,
                  reasons: [.init(signal: "shared_payment_fp", detail: "12 accounts")]),
            .init(accountID: "acct_2", risk: 0.5, verdict: .watch, campaign: nil, reasons: []),
            .init(accountID: "acct_9", risk: 0.4, verdict: .throttle, campaign: nil, reasons: []),
        ], campaigns: [])
    #expect(try store.applyVerdicts(from: first, source: "audit") == 2)
    #expect(try store.verdict(accountID: "acct_1")?.value == .challenge)
    #expect(try store.verdict(accountID: "acct_1")?.reason == "shared_payment_fp: 12 accounts")
    #expect(try store.verdict(accountID: "acct_2")?.value == .watch)
    // The admin's stricter block stays.
    #expect(try store.verdict(accountID: "acct_9")?.value == .block)
    #expect(try store.verdict(accountID: "acct_9")?.source == "admin")

    let second = Findings(
        generatedAt: "2026-01-02T00:00:00Z", window: .init(from: "a", to: "b"),
        accounts: [.init(accountID: "acct_2", risk: 0.95, verdict: .block, campaign: nil, reasons: [])],
        campaigns: [])
    try store.applyVerdicts(from: second, source: "audit")
    #expect(try store.verdict(accountID: "acct_1")?.value == .allow)
    #expect(try store.verdict(accountID: "acct_2")?.value == .block)
    #expect(try store.principal(keyID: try store.createKey(accountID: "acct_2").key.id)?.verdict?.value == .block)
}

@Test func usageRecordsRoundTrip() throws {
    let store = try makeStore()
    let events = (0..<5).map { i in
        UsageEvent(
            ts: Timestamp(microseconds: 1_700_000_000_000_000 + Int64(i) * 1000), requestID: "req_\(i)",
            accountID: i.isMultiple(of: 2) ? "acct_1" : "acct_2", orgID: i == 3 ? "org_ü" : nil, keyID: "key_x",
            ip: "203.0.113.\(i)", userAgent: i == 2 ? "sdk/1 \"q\" ✓" : nil, endpoint: "/v1/messages", model: "m",
            status: i == 4 ? 429 : 200, inputTokens: 10 * i, outputTokens: i, latencyMs: i == 0 ? nil : 7 * i,
            stream: i == 1, thinking: i == 3 ? true : nil, maxTokens: i == 4 ? nil : 64, tools: i,
            system: i == 0 ? "system\nline ✓" : nil, prompt: "hello \(i)")
    }
    try store.insertUsage(events)
    #expect(try store.usageCount() == 5)
    let latest = try store.usage(limit: 10)
    #expect(latest.first == events.last)
    #expect(Set(latest) == Set(events))
    #expect(try store.usage(accountID: "acct_2").count == 2)
}

@Test func onDiskStoreUsesWriteAheadLogging() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hg-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("s.sqlite").path
    do {
        let store = try Store(path: path, keyHashSecret: Data("p".utf8))
        #expect(try store.journalMode() == "wal")
        try store.upsertAccount(AccountRow(id: "a", tier: .id))
    }
    let reopened = try Store(path: path, keyHashSecret: Data("p".utf8))
    #expect(try reopened.account(id: "a")?.verificationTier == .id)
}

@Suite struct StoreCheckpointTests {
    @Test func backgroundCheckpointsCopyTheLogAndMemoryStoresHaveNone() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hg-ckpt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store(path: dir + "/s.sqlite", keyHashSecret: Data("k".utf8), backgroundCheckpoints: true)
        let events = (0..<200).map { i in
            UsageEvent(
                ts: Timestamp(secondsSince1970: 1_800_000_000 + Double(i)), requestID: "req_\(i)", accountID: "a",
                keyID: "k", ip: "192.0.2.1", endpoint: "/v1/messages", model: "m", status: 200, inputTokens: 1,
                outputTokens: 1)
        }
        try await store.insertUsage(events)
        let first = try #require(try await store.checkpoint())
        #expect(first.logFrames > 0 && first.copied == first.logFrames)
        #expect(try store.usageCount() == 200)
        let memory = try Store(inMemoryWithKeyHashSecret: Data("k".utf8))
        #expect(try await memory.checkpoint() == nil)
    }
}

@Suite struct KeyHasherTests {
    @Test func hashesAreHMACSHA256AndIndependentOfEachOther() {
        // RFC 4231, test case 2.
        let hasher = KeyHasher(secret: Data("Jefe".utf8))
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(hasher.hash("what do ya want for nothing?") == expected)
        _ = hasher.hash("something else in between")
        #expect(hasher.hash("what do ya want for nothing?") == expected)  // no state carried over
        #expect(hasher.matches("what do ya want for nothing?", expected))
        #expect(!hasher.matches("what do ya want for nothing!", expected))
        #expect(!hasher.matches("what do ya want for nothing?", String(expected.dropLast())))
    }

    @Test func keyIDsAreReadFromTheSecretsShape() {
        #expect(KeyHasher.keyID(inSecret: "hg_key_abc123_XyZ") == "key_abc123")
        #expect(KeyHasher.keyID(inSecret: "hg_key_a_b_c") == "key_a_b")
        #expect(KeyHasher.keyID(inSecret: "sk-ant-123") == nil)
        #expect(KeyHasher.keyID(inSecret: "hg_") == nil)
        #expect(KeyHasher.keyID(inSecret: "hg_key_" + String(repeating: "x", count: 80) + "_r") == nil)
        let hasher = KeyHasher(secret: Data("s".utf8))
        let (id, secret) = hasher.newKey()
        #expect(KeyHasher.keyID(inSecret: secret) == id)
    }
}
