import HydraguardLog

/// A group of tied accounts judged as a whole: how coordinated it is, how its members behave, and the
/// evidence, in numbers.
public struct CampaignAssessment: Sendable {
    public var members: [Int]
    /// Coordination in [0, 1]: shared templates, cards, sign-up waves, one client stack, a synchronised switch.
    public var coordination: Double
    /// The members' median behaviour score.
    public var behaviour: Double
    public var risk: Double
    public var evidence: [Signal]
    public var targets: [String]

    public init(
        members: [Int], profiles: [AccountProfile], behaviourScores: [Double], signals: [[Signal]],
        graph: AccountGraph, templates: TemplateClusters
    ) {
        self.members = members
        let n = Double(members.count)
        var evidence: [Signal] = []

        // Shared templates: the largest cluster inside the group.
        var clusterMembers: [Int: Int] = [:]
        for m in members {
            for c in templates.clustersOfAccount[m] { clusterMembers[c, default: 0] += 1 }
        }
        let templated = members.filter { graph.ties[$0].contains(.template) }.count
        if let (top, count) = clusterMembers.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }) {
            let cluster = templates.clusters[top]
            evidence.append(
                Signal(
                    AccountGraph.Tie.template.rawValue, strength: Double(templated) / n, weight: 0.3,
                    detail: "\(count) accounts sent near-duplicates of one prompt template between "
                        + "\(cluster.first.rfc3339) and \(cluster.last.rfc3339) (\(clusterMembers.count) shared templates in all); "
                        + "example: \"\(cluster.excerpt.prefix(120))\""))
        }

        // Payment instruments reused across accounts.
        var cards: [String: Int] = [:]
        for m in members { if let fp = profiles[m].record?.paymentFingerprint { cards[fp, default: 0] += 1 } }
        let reused = cards.filter { $0.value >= 2 }
        if !reused.isEmpty {
            let accountsOnReused = reused.values.reduce(0, +)
            evidence.append(
                Signal(
                    AccountGraph.Tie.payment.rawValue, strength: ramp(Double(accountsOnReused) / n, from: 0, to: 0.5),
                    weight: 0.3,
                    detail: "\(accountsOnReused) accounts pay with \(reused.count) shared payment instruments "
                        + "(up to \(reused.values.max() ?? 0) accounts on one)"))
        }

        // Sign-up waves: the busiest 3 days of account creation.
        let created = members.compactMap { profiles[$0].record?.createdAt.day }.sorted()
        if created.count >= 5 {
            var best = 0
            var lo = 0
            for hi in 0..<created.count {
                while created[hi] - created[lo] > 2 { lo += 1 }
                best = max(best, hi - lo + 1)
            }
            var waveDays = Set<Int>()
            var byDay: [Int: Int] = [:]
            for d in created { byDay[d, default: 0] += 1 }
            let threshold = max(2, created.count / 20)
            for (d, c) in byDay where c >= threshold { waveDays.insert(d) }
            let strength = ramp(Double(best) / Double(created.count), from: 0.1, to: 0.5)
            evidence.append(
                Signal(
                    "signup_waves", strength: strength, weight: 0.1,
                    detail: "\(best) of \(created.count) accounts were created within 3 days; "
                        + "\(waveDays.count) days each saw \(threshold) or more sign-ups"))
        }

        // One client stack across the group.
        var stacks: [String: Int] = [:]
        for m in members { stacks[profiles[m].dominantStack, default: 0] += 1 }
        if let (stack, count) = stacks.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
            count >= 3
        {
            evidence.append(
                Signal(
                    "shared_client_stack", strength: ramp(Double(count) / n, from: 0.5, to: 0.9), weight: 0.15,
                    detail: "\(count) of \(members.count) accounts use one client stack: \(stack.prefix(140))"))
        }

        // Synchronised behaviour: rhythm, rotation, switch.
        for (name, label) in [
            ("round_the_clock", "run round the clock"), ("address_rotation", "rotate addresses"),
            ("early_model_switch", "switched to a new model within a day of its release"),
            ("key_rotation", "rotate API keys"),
        ] {
            let count = members.filter { m in signals[m].contains { $0.name == name && $0.strength >= 0.5 } }.count
            guard count >= 2 else { continue }
            evidence.append(
                Signal(
                    "synchronised_\(name)", strength: Double(count) / n, weight: name == "early_model_switch" ? 0.15 : 0.05,
                    detail: "\(count) of \(members.count) accounts \(label)"))
        }
        self.evidence = evidence.sorted { $0.contribution > $1.contribution }
        coordination = min(1, evidence.reduce(0) { $0 + $1.contribution })
        let scores = members.map { behaviourScores[$0] }.sorted()
        behaviour = scores[scores.count / 2]
        risk = min(1, behaviour * (1 + coordination))
        var capabilityCounts: [String: Int] = [:]
        for m in members { for c in profiles[m].topCapabilities { capabilityCounts[c, default: 0] += 1 } }
        targets = capabilityCounts.filter { Double($0.value) >= 0.3 * n }.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key)
    }
}
