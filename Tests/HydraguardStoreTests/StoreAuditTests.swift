import Foundation
import HydraguardDetection
import HydraguardLog
import HydraguardSimulator
import HydraguardStore
import Testing

/// The audit of a gateway store's records (`hydraguard audit --store`): what it reads must be what the
/// gateway stored, in full or from a point in time, so that its findings are those of the same events
/// audited from files.
@Suite("Audit over the store")
struct StoreAuditTests {
    /// Four days of honest chat, a class, coding agents and one hydra campaign: enough for the audit to
    /// find the campaign, small enough for a test.
    static let simulation: (events: [UsageEvent], accounts: [AccountRecord]) = {
        let scenario = Scenario(
            name: "store-audit", seed: 7, start: "2026-05-04", days: 4,
            populations: [
                Scenario.Population(.casualChat, accounts: 40),
                Scenario.Population(.classCohort, accounts: 15, groups: 1),
                Scenario.Population(.codingAgent, accounts: 2, groups: 1),
            ],
            campaigns: [Scenario.Campaign(id: "hydra-1", style: .hydra, accounts: 30, waves: 1, firstWaveDay: -2)])
        let sim = try! Simulation(scenario: scenario, seed: 7)
        let events = (0..<sim.days).flatMap { sim.events(day: $0) }
        precondition(events.contains { $0.tlsFingerprint != nil }, "the round trip includes TLS fingerprints")
        return (events, sim.accountRecords())
    }()

    func storeWithEvents(_ events: [UsageEvent]) throws -> (Store, String) {
        let path = NSTemporaryDirectory() + "hydraguard-store-audit-\(UUID().uuidString).sqlite"
        let store = try Store(path: path, keyHashSecret: Data("test".utf8))
        // In chunks, as the gateway's writer commits them.
        var start = 0
        while start < events.count {
            try store.insertUsage(Array(events[start..<min(start + 5_000, events.count)]))
            start += 5_000
        }
        return (store, path)
    }

    func verdicts(_ result: AuditResult) -> [String: Findings.Verdict] {
        Dictionary(uniqueKeysWithValues: result.judged.map { ($0.profile.accountID, $0.verdict) })
    }

    @Test("an audit of every stored record finds what the audit of the same events in memory finds")
    func wholeStore() throws {
        let (events, accounts) = Self.simulation
        let (store, path) = try storeWithEvents(events)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var batches = store.usageBatches(batchSize: 1_000)
        var sizes: [Int] = []
        var read: [UsageEvent] = []
        let fromStore = try Audit().run(accounts: accounts) {
            let batch = try batches.next()
            if let batch {
                sizes.append(batch.count)
                read.append(contentsOf: batch)
            }
            return batch
        }
        let same = read == events
        #expect(same, "the records read back equal those stored, field by field")
        let inMemory = Audit().run(events: events, accounts: accounts)
        #expect(fromStore.eventStatistics.records == events.count)
        #expect(sizes.dropLast().allSatisfy { $0 == 1_000 } && sizes.reduce(0, +) == events.count)
        let sameVerdicts = verdicts(fromStore) == verdicts(inMemory)
        #expect(sameVerdicts, "every account's verdict as in the audit of the same events in memory")
        #expect(fromStore.campaigns.count == inMemory.campaigns.count)
        // The campaign is there to be found: most of its 30 accounts are flagged.
        let flagged = fromStore.judged.filter { $0.verdict != .allow }.count
        #expect(flagged >= 20, "flagged \(flagged)")
        // Once read to the end, the reader stays at the end.
        #expect(try batches.next() == nil)
    }

    @Test("since reads only the records that arrived from then on, however they were ordered in the store")
    func sinceAWindow() throws {
        var (events, accounts) = Self.simulation
        let since = Timestamp(rfc3339: "2026-05-06T00:00:00Z")!
        // A record that began before `since` but was stored after later ones (a long stream), and one
        // after `since` stored first.
        let late = events.first { $0.ts < since }!
        var early = events.last { $0.ts >= since }!
        early.requestID = "stored-first"
        events.removeAll { $0.requestID == late.requestID }
        events.insert(early, at: 0)
        events.append(late)
        let (store, path) = try storeWithEvents(events)
        defer { try? FileManager.default.removeItem(atPath: path) }

        var batches = store.usageBatches(since: since, batchSize: 777)
        var read: [UsageEvent] = []
        while let batch = try batches.next() { read.append(contentsOf: batch) }
        let expected = events.filter { $0.ts >= since }
        #expect(read.count == expected.count)
        let sameOrder = read.map(\.requestID) == expected.map(\.requestID)
        #expect(sameOrder, "the records of the window, in the order they were stored")
        #expect(read.first?.requestID == "stored-first")
        #expect(!read.contains { $0.requestID == late.requestID })
        #expect(read.count < events.count / 2 + 10_000)

        var again = store.usageBatches(since: since)
        let fromStore = try Audit().run(accounts: accounts) { try again.next() }
        let inMemory = Audit().run(events: expected, accounts: accounts)
        let sameVerdicts = verdicts(fromStore) == verdicts(inMemory)
        #expect(sameVerdicts, "every account's verdict as in the audit of the window's events in memory")

        // A window after the last record reads nothing.
        var none = store.usageBatches(since: Timestamp(rfc3339: "2027-01-01T00:00:00Z")!)
        #expect(try none.next() == nil)
    }

    @Test("the records the gateway keeps under no account (no key, a wrong one) are counted, not judged")
    func noAccount() throws {
        let (events, accounts) = Self.simulation
        var refused = Array(events.prefix(300))
        for i in refused.indices {
            refused[i].accountID = "-"
            refused[i].keyID = "-"
            refused[i].status = 401
        }
        let (store, path) = try storeWithEvents(refused + events)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var batches = store.usageBatches()
        let result = try Audit().run(accounts: accounts) { try batches.next() }
        #expect(result.eventStatistics.records == events.count + 300)
        #expect(!result.judged.contains { $0.profile.accountID == "-" })
        #expect(result.judged.count == Set(events.map(\.accountID)).count)
    }

    @Test("the store's accounts are the audit's account records: id, organisation, tier, creation time")
    func accountRecords() throws {
        let store = try Store(inMemoryWithKeyHashSecret: Data("test".utf8))
        try store.upsertOrg(OrgRow(id: "org_1", tier: .enterprise))
        try store.upsertAccount(
            AccountRow(id: "acct_b", orgID: "org_1", tier: .card, createdAt: Timestamp(rfc3339: "2026-04-01T10:00:00Z")!))
        try store.upsertAccount(AccountRow(id: "acct_a", tier: .free, createdAt: Timestamp(rfc3339: "2026-04-02T00:00:00Z")!))
        let records = try store.accountRecords()
        #expect(records.map(\.accountID) == ["acct_a", "acct_b"])
        #expect(records[1].orgID == "org_1" && records[1].tier == .card)
        #expect(records[1].createdAt == Timestamp(rfc3339: "2026-04-01T10:00:00Z")!)
        #expect(records[0].orgID == nil && records[0].tier == .free && records[0].paymentFingerprint == nil)
    }

    @Test("verdicts of accounts the audit did not see stay; those it saw and no longer lists go back to allow")
    func auditedAccountsOnly() throws {
        let store = try Store(inMemoryWithKeyHashSecret: Data("test".utf8))
        func findings(_ accounts: [(String, Findings.Verdict)]) -> Findings {
            Findings(
                generatedAt: "2026-01-01T00:00:00Z", window: .init(from: "a", to: "b"),
                accounts: accounts.map { .init(accountID: $0.0, risk: 0.9, verdict: $0.1, campaign: nil, reasons: []) },
                campaigns: [])
        }
        try store.applyVerdicts(from: findings([("quiet", .block), ("seen", .challenge), ("still", .throttle)]))
        // The next audit of a later window: "quiet" sent nothing in it, "seen" did and looks honest now.
        let changed = try store.applyVerdicts(from: findings([("still", .block)]), audited: ["seen", "still"])
        #expect(changed == 2)
        #expect(try store.verdict(accountID: "quiet")?.value == .block)
        #expect(try store.verdict(accountID: "seen")?.value == .allow)
        #expect(try store.verdict(accountID: "still")?.value == .block)
        // Without the set, as before: everything not listed goes back to allow.
        try store.applyVerdicts(from: findings([("still", .block)]))
        #expect(try store.verdict(accountID: "quiet")?.value == .allow)
    }
}
