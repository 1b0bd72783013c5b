public import Foundation
public import HydraguardLog

/// Everything an audit concluded, with what it saw: the source of the findings file and the report.
public struct AuditResult: Sendable {
    public var configuration: AuditConfiguration
    public var window: (Timestamp, Timestamp)
    public var profiles: [AccountProfile]
    public var judged: [JudgedAccount]
    public var assessments: [CampaignAssessment]
    public var templates: TemplateClusters
    public var eventStatistics = ReadStatistics()
    public var accountStatistics = ReadStatistics()
    public var timings: [Audit.StageTiming] = []

    /// A campaign as reported: an assessment with its id and the members that carry a verdict.
    public struct ReportedCampaign: Sendable {
        public var id: String
        public var assessment: CampaignAssessment
        public var members: [Int]
        public var requests: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var first: Timestamp
        public var last: Timestamp
    }

    /// Campaigns with at least two listed members, riskiest first, numbered `c1`, `c2`, ...
    public var campaigns: [ReportedCampaign] {
        var byAssessment: [Int: [Int]] = [:]
        for (i, j) in judged.enumerated() where j.verdict != .allow {
            if let c = j.campaign { byAssessment[c, default: []].append(i) }
        }
        let order = byAssessment.filter { $0.value.count >= 2 }.sorted {
            let a = assessments[$0.key]
            let b = assessments[$1.key]
            return a.risk > b.risk || (a.risk == b.risk && $0.value.count > $1.value.count)
                || (a.risk == b.risk && $0.value.count == $1.value.count && $0.key < $1.key)
        }
        return order.enumerated().map { index, entry in
            let members = entry.value.sorted { judged[$0].profile.accountID < judged[$1].profile.accountID }
            var requests = 0
            var input = 0
            var output = 0
            var first = Timestamp(microseconds: .max)
            var last = Timestamp(microseconds: .min)
            for m in members {
                let p = judged[m].profile
                requests += p.requests
                input += p.inputTokens
                output += p.outputTokens
                first = min(first, p.first)
                last = max(last, p.last)
            }
            return ReportedCampaign(
                id: "c\(index + 1)", assessment: assessments[entry.key], members: members, requests: requests,
                inputTokens: input, outputTokens: output, first: first, last: last)
        }
    }

    /// The findings file's content (`usage-log.md`, "findings").
    public func findings(generatedAt: Date = Date()) -> Findings {
        let campaigns = self.campaigns
        var campaignID: [Int: String] = [:]
        for c in campaigns { for m in c.members { campaignID[m] = c.id } }
        let accounts = judged.enumerated().filter { $0.element.verdict != .allow }
            .sorted { $0.element.risk > $1.element.risk || ($0.element.risk == $1.element.risk && $0.element.profile.accountID < $1.element.profile.accountID) }
            .map { i, j in
                Findings.AccountFinding(
                    accountID: j.profile.accountID, risk: (j.risk * 1000).rounded() / 1000, verdict: j.verdict,
                    campaign: campaignID[i],
                    reasons: j.signals.filter { $0.contribution > 0 || $0.name == "campaign_member" }.prefix(8).map {
                        Findings.Reason(signal: $0.name, detail: $0.detail, weight: ($0.contribution * 1000).rounded() / 1000)
                    })
            }
        let reported = campaigns.map { c in
            Findings.Campaign(
                id: c.id, accounts: c.members.map { judged[$0].profile.accountID }, requests: c.requests,
                inputTokens: c.inputTokens, outputTokens: c.outputTokens, firstSeen: c.first.rfc3339,
                lastSeen: c.last.rfc3339, targets: c.assessment.targets,
                evidence: c.assessment.evidence.map {
                    Findings.Reason(signal: $0.name, detail: $0.detail, weight: ($0.contribution * 1000).rounded() / 1000)
                })
        }
        let stamp = Timestamp(secondsSince1970: generatedAt.timeIntervalSince1970.rounded(.down))
        let hasWindow = window.0.microseconds != .max
        return Findings(
            generatedAt: stamp.rfc3339,
            window: Findings.Window(from: hasWindow ? window.0.rfc3339 : stamp.rfc3339, to: hasWindow ? window.1.rfc3339 : stamp.rfc3339),
            accounts: accounts, campaigns: reported)
    }
}
