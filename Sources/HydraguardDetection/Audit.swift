import Foundation
public import HydraguardLog

/// A whole audit: logs in, findings out.
///
/// ```swift
/// let audit = Audit(configuration: AuditConfiguration(), resolver: intel)
/// let result = try audit.run(events: ["events.jsonl.gz"], accounts: ["accounts.jsonl"])
/// try result.findings.write(to: "findings.json")
/// ```
///
/// The stages, in order: ingest (streaming, per account) → profiles and own signals → shared prompt
/// templates → the account graph → campaign assessments → verdicts → findings.
public struct Audit: Sendable {
    public var configuration: AuditConfiguration
    public var resolver: any AddressResolver
    public var lenient: Bool

    public init(configuration: AuditConfiguration = AuditConfiguration(), resolver: any AddressResolver = NoAddressIntelligence(), lenient: Bool = false) {
        self.configuration = configuration
        self.resolver = resolver
        self.lenient = lenient
    }

    /// Time spent and items handled per stage.
    public struct StageTiming: Sendable {
        public var name: String
        public var seconds: Double
        public var items: Int
    }

    /// The stages' timings as they end, each from the end of the one before.
    final class StageClock {
        private(set) var timings: [StageTiming] = []
        private var last = ContinuousClock.now

        func lap(_ name: String, _ items: Int) {
            let now = ContinuousClock.now
            timings.append(StageTiming(name: name, seconds: (now - last) / .seconds(1), items: items))
            last = now
        }
    }

    /// Reads the logs and judges every account. `progress` is called now and then with a line for a person.
    public func run(
        events: [String], accounts: [String], progress: (String) -> Void = { _ in }
    ) throws -> AuditResult {
        let stages = StageClock()
        let (records, accountStats) = try JSONLinesReader<AccountRecord>(paths: accounts, lenient: lenient).readAll()
        var byID: [String: AccountRecord] = [:]
        for record in records { byID[record.accountID] = record }
        stages.lap("read accounts", records.count)

        let ingest = AuditIngest(configuration: configuration, resolver: resolver)
        var nextReport = 1_000_000
        let eventStats = try JSONLinesReader<UsageEvent>(paths: events, lenient: lenient).forEachBatch { batch in
            Self.add(batch, to: ingest, nextReport: &nextReport, progress: progress)
        }
        var result = finish(ingest, records: byID, lap: stages.lap, progress: progress)
        result.eventStatistics = eventStats
        result.accountStatistics = accountStats
        result.timings = stages.timings
        return result
    }

    /// Audits events and accounts already in memory (tests, small tools).
    public func run(events: [UsageEvent], accounts: [AccountRecord]) -> AuditResult {
        let ingest = AuditIngest(configuration: configuration, resolver: resolver)
        ingest.add(events)
        var result = finish(
            ingest, records: Dictionary(accounts.map { ($0.accountID, $0) }, uniquingKeysWith: { a, _ in a }),
            lap: { _, _ in }, progress: { _ in })
        result.eventStatistics.records = events.count
        return result
    }

    /// Audits events from any source, such as the gateway's store: `nextBatch` is called until it returns
    /// nil, and each batch it returns is ingested in turn. Accounts with events but no record are judged
    /// from their events alone.
    ///
    /// ```swift
    /// var batches = store.usageBatches(since: since)
    /// let result = try audit.run(accounts: try store.accountRecords()) { try batches.next() }
    /// ```
    public func run(
        accounts: [AccountRecord], progress: (String) -> Void = { _ in },
        nextBatch: () throws -> [UsageEvent]?
    ) throws -> AuditResult {
        let stages = StageClock()
        let byID = Dictionary(accounts.map { ($0.accountID, $0) }, uniquingKeysWith: { _, last in last })
        stages.lap("read accounts", accounts.count)
        let ingest = AuditIngest(configuration: configuration, resolver: resolver)
        var nextReport = 1_000_000
        while let batch = try nextBatch() {
            Self.add(batch, to: ingest, nextReport: &nextReport, progress: progress)
        }
        var result = finish(ingest, records: byID, lap: stages.lap, progress: progress)
        result.eventStatistics.records = ingest.events
        result.accountStatistics.records = accounts.count
        result.timings = stages.timings
        return result
    }

    private static func add(
        _ batch: [UsageEvent], to ingest: AuditIngest, nextReport: inout Int, progress: (String) -> Void
    ) {
        ingest.add(batch)
        if ingest.events >= nextReport {
            progress("read \(ingest.events) events")
            nextReport += 1_000_000
        }
    }

    private func finish(
        _ ingest: AuditIngest, records: [String: AccountRecord], lap: (String, Int) -> Void, progress: (String) -> Void
    ) -> AuditResult {
        let count = ingest.events
        let accumulators = ingest.finish()
        lap("ingest events", count)
        progress("read \(count) events of \(accumulators.count) accounts; analysing")
        return analyse(
            accumulators: accumulators, records: records, window: (ingest.first, ingest.last), lap: lap, progress: progress)
    }

    /// The analysis after ingest; public so that shards ingested apart can be merged and judged once.
    public func analyse(
        accumulators: [String: AccountAccumulator], records: [String: AccountRecord],
        window: (Timestamp, Timestamp), lap: (String, Int) -> Void = { _, _ in }, progress: (String) -> Void = { _ in }
    ) -> AuditResult {
        let ids = accumulators.keys.sorted()
        let profiles = ids.map { AccountProfile(id: $0, accumulator: accumulators[$0]!, record: records[$0]) }
        var modelFirstSeen: [String: Timestamp] = [:]
        for p in profiles {
            for (model, use) in p.models { modelFirstSeen[model] = min(modelFirstSeen[model] ?? use.first, use.first) }
        }
        let context = AuditContext(modelFirstSeen: modelFirstSeen, windowStart: window.0, windowEnd: window.1)
        let signals = profiles.map { BehaviourSignals.evaluate($0, context: context) }
        let behaviour = signals.map { BehaviourSignals.score($0) }
        lap("account signals", profiles.count)

        let templates = TemplateClusters(
            profiles: profiles, similarity: configuration.templateSimilarity, minAccounts: configuration.templateMinAccounts)
        lap("prompt templates", profiles.reduce(0) { $0 + $1.sampledPrompts })
        progress("\(templates.candidateGroups) near-duplicate prompt groups, \(templates.clusters.count) shared by \(configuration.templateMinAccounts)+ accounts")

        let graph = AccountGraph(profiles: profiles, templates: templates, behaviour: behaviour)
        progress("\(graph.groups.count) groups of tied accounts, sizes \(graph.groups.prefix(8).map(\.count))")
        var assessments: [CampaignAssessment] = []
        var campaignOf = [Int?](repeating: nil, count: profiles.count)
        for group in graph.groups {
            let owners = Set(group.map { profiles[$0].owner }).count
            guard owners >= configuration.campaignMinAccounts else { continue }
            let assessment = CampaignAssessment(
                members: group, profiles: profiles, behaviourScores: behaviour, signals: signals, graph: graph,
                templates: templates)
            for m in group { campaignOf[m] = assessments.count }
            assessments.append(assessment)
        }
        lap("account graph", graph.groups.count)

        let carried = CampaignTraffic(
            profiles: profiles, templates: templates, assessments: assessments, campaignOf: campaignOf)

        // Verdicts.
        var judged: [JudgedAccount] = []
        for (i, p) in profiles.enumerated() {
            let own = Verdicts.ownRisk(signals: signals[i], tier: p.record?.tier)
            var risk = own
            var reasons = signals[i].sorted { $0.contribution > $1.contribution }
            var campaign: Int?
            let affinity = Verdicts.affinity(signals: signals[i], ties: graph.ties[i])
            if let c = campaignOf[i] {
                let a = assessments[c]
                let fromCampaign = a.risk * affinity * Verdicts.trust(p.record?.tier)
                if fromCampaign > risk {
                    risk = fromCampaign
                }
                if fromCampaign >= Verdicts.watch {
                    campaign = c
                    let tieNames = graph.ties[i].map(\.rawValue).sorted().joined(separator: ", ")
                    reasons.insert(
                        Signal(
                            "campaign_member", strength: a.risk, weight: affinity,
                            detail: "tied (\(tieNames)) to \(a.members.count) accounts judged as one campaign "
                                + "(coordination \(oneDecimal(a.coordination * 100))%, median member behaviour "
                                + "\(oneDecimal(a.behaviour * 100))%)"),
                        at: 0)
                }
            }
            if let (c, share) = carried.share[i], campaignOf[i] != c || affinity < 1 {
                let a = assessments[c]
                // A relay carries the campaign's traffic in the campaign's rhythm; a person who happens to send
                // the same public problems (a researcher running a benchmark) works their own day. Honest
                // accounts carry none of a campaign's templates, and the share comes from a small sample
                // (24 prompts: ±10 points), so a quarter is full strength and a tenth the floor.
                let rhythmGap = abs(p.busiest12HourShare - a.busiest12HourShare)
                let strength = ramp(share, from: 0.1, to: 0.25) * (1 - ramp(rhythmGap, from: 0.1, to: 0.3))
                if strength > 0 {
                    risk = max(risk, min(Verdicts.block - 0.01, a.risk * strength))
                    reasons.insert(
                        Signal(
                            "carries_campaign_traffic", strength: strength, weight: a.risk,
                            detail: "\(percent(share)) of its sampled prompts use templates of a campaign of "
                                + "\(a.members.count) accounts (campaign risk \(oneDecimal(a.risk * 100))%): it relays "
                                + "that campaign's traffic among its own, in the same rhythm (busiest 12 hours: "
                                + "\(percent(p.busiest12HourShare)) for it, \(percent(a.busiest12HourShare)) for the campaign)"),
                        at: 0)
                }
            }
            judged.append(JudgedAccount(profile: p, signals: reasons, ownRisk: own, risk: min(1, risk), campaign: campaign))
        }
        lap("verdicts", judged.count)
        return AuditResult(
            configuration: configuration, window: window, profiles: profiles, judged: judged, assessments: assessments,
            templates: templates, graph: graph)
    }
}

/// One account's judgement.
public struct JudgedAccount: Sendable {
    public var profile: AccountProfile
    public var signals: [Signal]
    public var ownRisk: Double
    public var risk: Double
    /// Index into ``AuditResult/assessments``.
    public var campaign: Int?

    public var verdict: Findings.Verdict { Verdicts.grade(risk) }
}
