import HydraguardLog

/// A small crafted case with answers worked out by hand:
/// - campaign `c1`: attack accounts a1, a2, a3 (archetype `hydra`); lone attacker a4 (`scraper`);
/// - benign: b1, b2, b3 (`coding_agent`) and b4, b5 (`student`).
/// The findings block a1 and b1, challenge a2, throttle a4, watch a3 and b4, and put a1, a2, a3 and b1
/// in campaign `F1`; they also name `ghost`, whom the labels do not know.
enum Crafted {
    static let labels: [LabelRecord] = [
        LabelRecord(accountID: "a1", label: .attack, archetype: "hydra", campaign: "c1"),
        LabelRecord(accountID: "a2", label: .attack, archetype: "hydra", campaign: "c1"),
        LabelRecord(accountID: "a3", label: .attack, archetype: "hydra", campaign: "c1"),
        LabelRecord(accountID: "a4", label: .attack, archetype: "scraper", campaign: nil),
        LabelRecord(accountID: "b1", label: .benign, archetype: "coding_agent"),
        LabelRecord(accountID: "b2", label: .benign, archetype: "coding_agent"),
        LabelRecord(accountID: "b3", label: .benign, archetype: "coding_agent"),
        LabelRecord(accountID: "b4", label: .benign, archetype: "student"),
        LabelRecord(accountID: "b5", label: .benign, archetype: "student"),
    ]

    static func account(_ id: String, _ verdict: Findings.Verdict, _ campaign: String?) -> Findings.AccountFinding {
        Findings.AccountFinding(accountID: id, risk: 0.9, verdict: verdict, campaign: campaign, reasons: [])
    }

    static func campaign(_ id: String, _ accounts: [String]) -> Findings.Campaign {
        Findings.Campaign(
            id: id,
            accounts: accounts,
            requests: 0,
            inputTokens: 0,
            outputTokens: 0,
            firstSeen: "2026-01-01T00:00:00Z",
            lastSeen: "2026-01-01T00:00:00Z",
            targets: [],
            evidence: []
        )
    }

    static let findings = Findings(
        generatedAt: "2026-01-02T00:00:00Z",
        window: .init(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z"),
        accounts: [
            account("a1", .block, "F1"), account("a2", .challenge, "F1"), account("a3", .watch, "F1"),
            account("a4", .throttle, nil), account("b1", .block, "F1"), account("b4", .watch, nil),
            account("ghost", .throttle, nil),
        ],
        campaigns: [campaign("F1", ["a1", "a2", "a3", "b1"])]
    )

    static let usage: [String: (requests: Int, tokens: Int)] = [
        "a1": (10, 100), "a2": (20, 200), "a3": (30, 300), "a4": (40, 400), "b1": (5, 50), "b2": (15, 150),
        "ghost": (7, 70),
    ]
}
