public import HydraguardLog

/// Scores an audit's findings against the simulator's labels.
///
/// ```swift
/// let labels = try Evaluation.readLabels(path: "out/small/labels.jsonl")
/// let findings = try Findings.read(path: "out/small/findings.json")
/// let usage = try Evaluation.usage(events: ["out/small/events.jsonl.gz"])
/// let report = try Evaluation.score(labels: labels, findings: findings, usage: usage)
/// print(report.table())
/// report.check(QualityBar.audit).allSatisfy(\.passed)
/// ```
public enum Evaluation {
    /// A campaign counts as caught when at least this share of its accounts is flagged.
    public static let campaignCaughtThreshold = 0.9

    /// Reads a labels file (JSON Lines) and checks it (see ``validate(labels:file:)``).
    public static func readLabels(path: String) throws -> [LabelRecord] {
        let (labels, _) = try JSONLinesReader<LabelRecord>(paths: [path]).readAll()
        try validate(labels: labels, file: path)
        return labels
    }

    /// Checks labels against the spec: each account once, and no campaign on a benign account.
    ///
    /// - Throws: ``EvaluationError`` naming the file, the line (counting non-blank lines) and the account.
    public static func validate(labels: [LabelRecord], file: String) throws {
        var seen = Set<String>()
        seen.reserveCapacity(labels.count)
        for (index, label) in labels.enumerated() {
            guard seen.insert(label.accountID).inserted else {
                throw EvaluationError(
                    file: file,
                    message: "record \(index + 1): account \(label.accountID) is labelled twice"
                )
            }
            if label.label == .benign, let campaign = label.campaign {
                throw EvaluationError(
                    file: file,
                    message:
                        "record \(index + 1): benign account \(label.accountID) names campaign \(campaign) (must be null)"
                )
            }
        }
    }

    /// Scores `findings` against `labels`. Accounts absent from the findings are `allow`; accounts in the
    /// findings but not in the labels are counted in ``EvaluationReport/unknownAccounts`` and otherwise
    /// ignored. With `usage` (per account, from ``usage(events:)``), the report has request and token shares.
    ///
    /// - Throws: ``EvaluationError`` when the labels break the spec (see ``validate(labels:file:)``).
    public static func score(
        labels: [LabelRecord],
        findings: Findings,
        usage: [String: AccountUsage]? = nil
    ) throws -> EvaluationReport {
        try validate(labels: labels, file: "labels")
        var index: [String: Int] = [:]
        index.reserveCapacity(labels.count)
        for (i, label) in labels.enumerated() { index[label.accountID] = i }
        var verdict = [Findings.Verdict](repeating: .allow, count: labels.count)
        var foundCampaign = [String?](repeating: nil, count: labels.count)
        var unknown: [String] = []
        for account in findings.accounts {
            guard let i = index[account.accountID] else {
                unknown.append(account.accountID)
                continue
            }
            verdict[i] = account.verdict
            foundCampaign[i] = account.campaign
        }

        // Account level.
        var tp = 0
        var fp = 0
        var fn = 0
        var tn = 0
        var verdicts: [String: Int] = [:]
        struct Tally {
            var label: LabelRecord.Label
            var accounts = 0
            var flagged = 0
        }
        var archetypes: [String: Tally] = [:]
        var campaigns: [String: (size: Int, flagged: Int, foundAs: [String: Int])] = [:]
        for (i, label) in labels.enumerated() {
            let flagged = verdict[i].isAction
            verdicts[verdict[i].rawValue, default: 0] += 1
            switch (label.label, flagged) {
            case (.attack, true): tp += 1
            case (.attack, false): fn += 1
            case (.benign, true): fp += 1
            case (.benign, false): tn += 1
            }
            let key = "\(label.label.rawValue)\u{0}\(label.archetype)"
            archetypes[key, default: Tally(label: label.label)].accounts += 1
            if flagged { archetypes[key]!.flagged += 1 }
            if let campaign = label.campaign {
                campaigns[campaign, default: (0, 0, [:])].size += 1
                if flagged {
                    campaigns[campaign]!.flagged += 1
                    if let found = foundCampaign[i] { campaigns[campaign]!.foundAs[found, default: 0] += 1 }
                }
            }
        }
        let precision = ratio(tp, tp + fp)
        let recall = ratio(tp, tp + fn)
        var f1: Double?
        if let precision, let recall {
            f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
        }

        let archetypeScores = archetypes.map { key, tally in
            let name = String(key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)[1])
            return EvaluationReport.ArchetypeScore(
                archetype: name,
                label: tally.label.rawValue,
                accounts: tally.accounts,
                flagged: tally.flagged,
                rate: ratio(tally.flagged, tally.accounts)
            )
        }.sorted { ($0.label, $0.archetype) < ($1.label, $1.archetype) }

        let campaignScores = campaigns.map { name, c in
            EvaluationReport.CampaignScore(
                campaign: name,
                size: c.size,
                flagged: c.flagged,
                recall: ratio(c.flagged, c.size),
                foundAs: c.foundAs.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5).map(\.key)
            )
        }.sorted { $0.campaign < $1.campaign }
        let caught = campaignScores.filter { ($0.recall ?? 0) >= campaignCaughtThreshold }.count

        return EvaluationReport(
            accounts: labels.count,
            attackAccounts: tp + fn,
            benignAccounts: fp + tn,
            verdicts: verdicts,
            truePositives: tp,
            falsePositives: fp,
            falseNegatives: fn,
            trueNegatives: tn,
            precision: precision,
            recall: recall,
            f1: f1,
            archetypes: archetypeScores,
            campaigns: campaignScores,
            campaignsCaught: caught,
            purity: purity(labels: labels, found: foundCampaign, verdict: verdict),
            usage: usage.map { shares(labels: labels, index: index, verdict: verdict, usage: $0) },
            unknownAccounts: unknown.count,
            unknownAccountSamples: Array(unknown.prefix(10))
        )
    }

    /// Pairwise campaign purity from contingency counts (see ``EvaluationReport/Purity``).
    static func purity(labels: [LabelRecord], found: [String?], verdict: [Findings.Verdict]) -> EvaluationReport.Purity
    {
        func pairs(_ n: Int) -> Int { n * (n - 1) / 2 }
        var trueSizes: [String: Int] = [:]
        var foundSizes: [String: Int] = [:]
        var cells: [String: Int] = [:]
        for (i, label) in labels.enumerated() where verdict[i].isAction || found[i] != nil {
            if let t = label.campaign { trueSizes[t, default: 0] += 1 }
            if let f = found[i] { foundSizes[f, default: 0] += 1 }
            if let t = label.campaign, let f = found[i] { cells["\(t)\u{0}\(f)", default: 0] += 1 }
        }
        let truePairs = trueSizes.values.reduce(0) { $0 + pairs($1) }
        let foundPairs = foundSizes.values.reduce(0) { $0 + pairs($1) }
        let shared = cells.values.reduce(0) { $0 + pairs($1) }
        return EvaluationReport.Purity(
            truePairs: truePairs,
            foundPairs: foundPairs,
            sharedPairs: shared,
            precision: ratio(shared, foundPairs),
            recall: ratio(shared, truePairs)
        )
    }

    static func shares(
        labels: [LabelRecord],
        index: [String: Int],
        verdict: [Findings.Verdict],
        usage: [String: AccountUsage]
    ) -> EvaluationReport.UsageShares {
        var s = EvaluationReport.UsageShares(
            attackRequests: 0,
            attackRequestsFlagged: 0,
            attackOutputTokens: 0,
            attackOutputTokensFlagged: 0,
            benignRequests: 0,
            benignRequestsFlagged: 0,
            benignOutputTokens: 0,
            benignOutputTokensFlagged: 0,
            unlabelledRequests: 0
        )
        for (account, use) in usage {
            guard let i = index[account] else {
                s.unlabelledRequests += use.requests
                continue
            }
            let flagged = verdict[i].isAction
            switch labels[i].label {
            case .attack:
                s.attackRequests += use.requests
                s.attackOutputTokens += use.outputTokens
                if flagged {
                    s.attackRequestsFlagged += use.requests
                    s.attackOutputTokensFlagged += use.outputTokens
                }
            case .benign:
                s.benignRequests += use.requests
                s.benignOutputTokens += use.outputTokens
                if flagged {
                    s.benignRequestsFlagged += use.requests
                    s.benignOutputTokensFlagged += use.outputTokens
                }
            }
        }
        s.computeShares()
        return s
    }
}
