import HydraguardLog
import Testing

@testable import HydraguardEval

@Suite struct EvaluationTests {
    func crafted(withUsage: Bool = false) throws -> EvaluationReport {
        let usage = Crafted.usage.mapValues { AccountUsage(requests: $0.requests, outputTokens: $0.tokens) }
        try Crafted.findings.validate(file: "crafted")
        return try Evaluation.score(labels: Crafted.labels, findings: Crafted.findings, usage: withUsage ? usage : nil)
    }

    @Test func accountLevelFigures() throws {
        let r = try crafted()
        // Flagged (throttle/challenge/block): a1, a2, a4, b1. Not flagged: a3 (watch) and the rest.
        #expect(r.accounts == 9 && r.attackAccounts == 4 && r.benignAccounts == 5)
        #expect(r.truePositives == 3)  // a1, a2, a4
        #expect(r.falsePositives == 1)  // b1
        #expect(r.falseNegatives == 1)  // a3
        #expect(r.trueNegatives == 4)  // b2, b3, b4, b5
        #expect(r.precision == 3.0 / 4.0)
        #expect(r.recall == 3.0 / 4.0)
        #expect(r.f1 == 2 * 0.75 * 0.75 / 1.5)
        #expect(r.verdicts == ["allow": 3, "watch": 2, "throttle": 1, "challenge": 1, "block": 2])
    }

    @Test func archetypesAndCampaigns() throws {
        let r = try crafted()
        let rates = Dictionary(
            uniqueKeysWithValues: r.archetypes.map { ($0.archetype, ($0.label, $0.accounts, $0.flagged, $0.rate)) }
        )
        #expect(rates["coding_agent"]! == ("benign", 3, 1, 1.0 / 3.0))  // b1 of b1..b3
        #expect(rates["student"]! == ("benign", 2, 0, 0.0))
        #expect(rates["hydra"]! == ("attack", 3, 2, 2.0 / 3.0))  // a1, a2 of a1..a3
        #expect(rates["scraper"]! == ("attack", 1, 1, 1.0))
        #expect(r.campaigns.count == 1)
        let c1 = try #require(r.campaigns.first)
        #expect(c1.campaign == "c1" && c1.size == 3 && c1.flagged == 2 && c1.recall == 2.0 / 3.0)
        #expect(c1.foundAs == ["F1"])
        #expect(r.campaignsCaught == 0)  // 2/3 < 90%
    }

    @Test func purityCountsPairs() throws {
        let p = try crafted().purity
        // True pairs: c1 has 3 accounts, C(3,2) = 3. Found: F1 holds a1, a2, a3, b1, C(4,2) = 6.
        // Shared: a1, a2, a3 are in both, C(3,2) = 3.
        #expect(p.truePairs == 3 && p.foundPairs == 6 && p.sharedPairs == 3)
        #expect(p.precision == 0.5)
        #expect(p.recall == 1.0)
    }

    @Test func purityLeavesMissedAccountsOut() throws {
        // c1 = a1, a2, a3. The findings group a1 and a2, flag a3 without a campaign, and miss nobody: a3's
        // pairs with a1 and a2 are true but not found. Then drop a3 from the findings: it is missed, not
        // counted, and the grouping of what was found is perfect.
        var findings = Crafted.findings
        findings.accounts = [
            Crafted.account("a1", .block, "F1"), Crafted.account("a2", .block, "F1"),
            Crafted.account("a3", .block, nil),
        ]
        findings.campaigns = [Crafted.campaign("F1", ["a1", "a2"])]
        let split = try Evaluation.score(labels: Crafted.labels, findings: findings).purity
        #expect(split.truePairs == 3 && split.foundPairs == 1 && split.sharedPairs == 1)
        #expect(split.precision == 1 && split.recall == 1.0 / 3.0)
        findings.accounts.removeLast()
        let missed = try Evaluation.score(labels: Crafted.labels, findings: findings)
        #expect(missed.purity.truePairs == 1 && missed.purity.recall == 1)
        #expect(missed.campaigns.first?.recall == 2.0 / 3.0)
    }

    @Test func unknownAccountsAreCountedNotScored() throws {
        let r = try crafted()
        #expect(r.unknownAccounts == 1 && r.unknownAccountSamples == ["ghost"])
        #expect(r.accounts == 9)
    }

    @Test func usageShares() throws {
        #expect(try crafted().usage == nil)
        let u = try #require(try crafted(withUsage: true).usage)
        // Attack requests: a1..a4 = 10+20+30+40 = 100; flagged a1, a2, a4 = 70.
        #expect(u.attackRequests == 100 && u.attackRequestsFlagged == 70 && u.attackRequestShare == 0.7)
        #expect(u.attackOutputTokens == 1000 && u.attackOutputTokensFlagged == 700 && u.attackOutputTokenShare == 0.7)
        // Benign: b1 5 + b2 15 = 20; flagged b1 = 5.
        #expect(u.benignRequests == 20 && u.benignRequestsFlagged == 5 && u.benignRequestShare == 0.25)
        #expect(u.unlabelledRequests == 7)
    }

    @Test func perfectFindingsScoreOne() throws {
        let findings = Findings(
            generatedAt: "2026-01-02T00:00:00Z",
            window: .init(from: "a", to: "b"),
            accounts: ["a1", "a2", "a3"].map { Crafted.account($0, .block, "X") } + [
                Crafted.account("a4", .block, nil)
            ],
            campaigns: [Crafted.campaign("X", ["a1", "a2", "a3"])]
        )
        let r = try Evaluation.score(labels: Crafted.labels, findings: findings)
        #expect(r.precision == 1 && r.recall == 1 && r.f1 == 1 && r.campaignsCaught == 1)
        #expect(r.purity.precision == 1 && r.purity.recall == 1)
        #expect(r.archetypes.filter { $0.label == "benign" }.allSatisfy { $0.rate == 0 })
    }

    @Test func emptyFindingsLeaveRatesUndefined() throws {
        let r = try Evaluation.score(
            labels: Crafted.labels,
            findings: Findings(generatedAt: "x", window: .init(from: "a", to: "b"), accounts: [], campaigns: [])
        )
        #expect(r.precision == nil && r.recall == 0 && r.f1 == nil)
        #expect(r.purity.foundPairs == 0 && r.purity.precision == nil && r.purity.recall == nil)  // nothing found: no pairs
        #expect(r.verdicts == ["allow": 9])
    }

    @Test func labelsThatBreakTheSpecAreAnError() {
        #expect {
            try Evaluation.score(labels: Crafted.labels + [Crafted.labels[0]], findings: Crafted.findings)
        } throws: { error in "\(error)".contains("record 10: account a1 is labelled twice") }
        let benignInCampaign = LabelRecord(accountID: "b9", label: .benign, archetype: "student", campaign: "c1")
        #expect {
            try Evaluation.score(labels: Crafted.labels + [benignInCampaign], findings: Crafted.findings)
        } throws: { error in "\(error)".contains("benign account b9 names campaign c1") }
    }

    /// The contingency count agrees with counting every pair on a random case.
    @Test func purityMatchesBruteForcePairs() throws {
        var rng = SystemRandomNumberGenerator()
        var labels: [LabelRecord] = []
        var found: [String?] = []
        var verdicts: [Findings.Verdict] = []
        for i in 0..<150 {
            let attack = Int.random(in: 0..<3, using: &rng) > 0
            let campaign = attack && Bool.random(using: &rng) ? "c\(Int.random(in: 0..<4, using: &rng))" : nil
            labels.append(
                LabelRecord(accountID: "x\(i)", label: attack ? .attack : .benign, archetype: "k", campaign: campaign)
            )
            found.append(Int.random(in: 0..<3, using: &rng) == 0 ? nil : "f\(Int.random(in: 0..<5, using: &rng))")
            verdicts.append(Findings.Verdict.allCases.randomElement(using: &rng)!)
        }
        let counted = labels.indices.filter { verdicts[$0].isAction || found[$0] != nil }
        var t = 0
        var f = 0
        var s = 0
        for i in counted {
            for j in counted where j > i {
                let together = labels[i].campaign != nil && labels[i].campaign == labels[j].campaign
                let put = found[i] != nil && found[i] == found[j]
                if together { t += 1 }
                if put { f += 1 }
                if together && put { s += 1 }
            }
        }
        let p = Evaluation.purity(labels: labels, found: found, verdict: verdicts)
        #expect(p.truePairs == t && p.foundPairs == f && p.sharedPairs == s)
    }
}
