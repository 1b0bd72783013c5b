/// The figures findings must reach: each gate compares one figure of a report with its target.
///
/// ```swift
/// let results = report.check(.audit)
/// if results.contains(where: { !$0.passed }) { /* exit 2 */ }
/// ```
public struct QualityBar: Sendable, Hashable, Codable {
    /// Minimum account-level precision.
    public var precision: Double?
    /// Minimum account-level recall.
    public var recall: Double?
    /// Maximum false-positive rate of any one benign archetype.
    public var archetypeFalsePositiveRate: Double?
    /// Minimum recall of every campaign.
    public var campaignRecall: Double?
    /// Minimum pairwise campaign purity (both precision and recall of the grouping).
    public var purity: Double?

    public init(
        precision: Double? = nil,
        recall: Double? = nil,
        archetypeFalsePositiveRate: Double? = nil,
        campaignRecall: Double? = nil,
        purity: Double? = nil
    ) {
        self.precision = precision
        self.recall = recall
        self.archetypeFalsePositiveRate = archetypeFalsePositiveRate
        self.campaignRecall = campaignRecall
        self.purity = purity
    }

    /// The audit's bar: precision >= 0.99, recall >= 0.95, no honest archetype above 0.5% false
    /// positives, every campaign >= 90% flagged, purity >= 0.9.
    public static let audit = QualityBar(
        precision: 0.99,
        recall: 0.95,
        archetypeFalsePositiveRate: 0.005,
        campaignRecall: 0.9,
        purity: 0.9
    )

    /// True when no gate is set.
    public var isEmpty: Bool {
        precision == nil && recall == nil && archetypeFalsePositiveRate == nil && campaignRecall == nil && purity == nil
    }
}

/// One gate's outcome.
public struct GateResult: Sendable, Hashable, Codable {
    /// What was checked, e.g. `precision`, `false positives of student`, `recall of campaign c1`.
    public var name: String
    /// `>=` or `<=`.
    public var comparison: String
    public var target: Double
    /// nil when the figure is undefined (its denominator is zero), which passes: nothing to measure.
    public var actual: Double?
    public var passed: Bool
}

extension EvaluationReport {
    /// Checks the report against a bar: one result per gate (per archetype and per campaign where the
    /// gate is about each of them).
    public func check(_ bar: QualityBar) -> [GateResult] {
        var results: [GateResult] = []
        func atLeast(_ name: String, _ actual: Double?, _ target: Double) {
            results.append(
                GateResult(
                    name: name,
                    comparison: ">=",
                    target: target,
                    actual: actual,
                    passed: (actual ?? 1) >= target
                )
            )
        }
        func atMost(_ name: String, _ actual: Double?, _ target: Double) {
            results.append(
                GateResult(
                    name: name,
                    comparison: "<=",
                    target: target,
                    actual: actual,
                    passed: (actual ?? 0) <= target
                )
            )
        }
        if let target = bar.precision { atLeast("precision", precision, target) }
        if let target = bar.recall { atLeast("recall", recall, target) }
        if let target = bar.archetypeFalsePositiveRate {
            for a in archetypes where a.label == "benign" {
                atMost("false positives of \(a.archetype)", a.rate, target)
            }
        }
        if let target = bar.campaignRecall {
            for c in campaigns { atLeast("recall of campaign \(c.campaign)", c.recall, target) }
        }
        if let target = bar.purity {
            atLeast("campaign purity (pairwise precision)", purity.precision, target)
            atLeast("campaign purity (pairwise recall)", purity.recall, target)
        }
        return results
    }
}

// An undefined figure is written as an explicit `null`.
extension GateResult {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(comparison, forKey: .comparison)
        try c.encode(target, forKey: .target)
        try c.encode(actual, forKey: .actual)
        try c.encode(passed, forKey: .passed)
    }
}
