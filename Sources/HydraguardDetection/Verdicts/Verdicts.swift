public import HydraguardLog

/// Turns an account's own signals and its campaign's assessment into a graded verdict.
///
/// - An account's own risk is its behaviour score, discounted for stronger verification (`id`: x0.75,
///   `enterprise`: x0.5): a contract or a verified identity is costly to fake at scale.
/// - Alone, an account is acted against only when it also hides (rotates addresses, countries or keys),
///   extracts in bulk, or connects from a restricted country: heavy honest use (researchers, batch jobs)
///   looks like harvesting in its economics but does not hide.
/// - In a campaign, an account takes the campaign's risk when it hides too (rotates addresses, countries
///   or keys), when a payment instrument ties it, or when it is tied in more than one way; otherwise 40%
///   of it (at most `watch`): a look-alike prompt or a shared address alone does not condemn anyone.
/// - Grades: `watch` from 0.25, `throttle` from 0.45, `challenge` from 0.65, `block` from 0.85.
public enum Verdicts {
    public static let watch = 0.25
    public static let throttle = 0.45
    public static let challenge = 0.65
    public static let block = 0.85

    static let evasionSignals: Set<String> = ["address_rotation", "country_spread", "key_rotation"]
    static let standaloneSignals: Set<String> = ["bulk_extraction", "restricted_country"]

    /// The account hides its origin: it rotates addresses, countries or keys (strength 0.3 or more).
    static func hides(_ signals: [Signal]) -> Bool {
        signals.contains { evasionSignals.contains($0.name) && $0.strength >= 0.3 }
    }

    public static func trust(_ tier: Tier?) -> Double {
        switch tier {
        case .enterprise: 0.5
        case .id: 0.75
        default: 1
        }
    }

    /// Own risk of an account acting alone.
    public static func ownRisk(signals: [Signal], tier: Tier?) -> Double {
        var risk = BehaviourSignals.score(signals) * trust(tier)
        let hides = hides(signals)
        let standalone = signals.contains { standaloneSignals.contains($0.name) && $0.strength >= 0.3 }
        if signals.contains(where: { $0.name == "restricted_country" && $0.strength >= 0.5 }) { risk = max(risk, 0.9) }
        if !hides, !standalone { risk = min(risk, throttle - 0.01) }
        return risk
    }

    /// How much of its campaign's risk an account takes (see the type's documentation).
    public static func affinity(signals: [Signal], ties: Set<AccountGraph.Tie>) -> Double {
        if hides(signals) || ties.count >= 2 || ties.contains(.payment) { return 1 }
        return 0.4
    }

    public static func grade(_ risk: Double) -> Findings.Verdict {
        switch risk {
        case block...: .block
        case challenge..<block: .challenge
        case throttle..<challenge: .throttle
        case watch..<throttle: .watch
        default: .allow
        }
    }
}
