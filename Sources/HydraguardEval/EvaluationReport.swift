/// How well findings match the ground truth: what ``Evaluation/score(labels:findings:usage:)`` answers.
///
/// Rates whose denominator is zero (precision when nothing was flagged, say) are nil: `n/a` in the table,
/// `null` in the JSON.
public struct EvaluationReport: Sendable, Hashable, Codable {
    /// Labelled accounts, and how many of each label.
    public var accounts: Int
    public var attackAccounts: Int
    public var benignAccounts: Int
    /// Labelled accounts per verdict (accounts absent from the findings are `allow`).
    public var verdicts: [String: Int]
    /// Account-level confusion counts; an account is flagged when its verdict is an action
    /// (`throttle`, `challenge` or `block`).
    public var truePositives: Int
    public var falsePositives: Int
    public var falseNegatives: Int
    public var trueNegatives: Int
    public var precision: Double?
    public var recall: Double?
    public var f1: Double?
    /// Per archetype: the false-positive rate for benign ones, the recall for attack ones.
    public var archetypes: [ArchetypeScore]
    /// Per true campaign: size, flagged, recall.
    public var campaigns: [CampaignScore]
    /// True campaigns with at least ``Evaluation/campaignCaughtThreshold`` (90%) of their accounts flagged.
    public var campaignsCaught: Int
    public var purity: Purity
    /// Shares of requests and output tokens made by flagged accounts; nil without events.
    public var usage: UsageShares?
    /// Accounts named by the findings that the labels do not know (left out of every figure above).
    public var unknownAccounts: Int
    /// Up to 10 of them, for a person to look at.
    public var unknownAccountSamples: [String]

    public struct ArchetypeScore: Sendable, Hashable, Codable {
        public var archetype: String
        public var label: String
        public var accounts: Int
        public var flagged: Int
        /// flagged / accounts: the false-positive rate of a benign archetype, the recall of an attack one.
        public var rate: Double?
    }

    public struct CampaignScore: Sendable, Hashable, Codable {
        public var campaign: String
        public var size: Int
        public var flagged: Int
        public var recall: Double?
        /// The findings campaign ids its flagged accounts were put in, most common first (at most 5).
        public var foundAs: [String]
    }

    /// How well the findings' campaign ids group accounts, counted over pairs of accounts.
    ///
    /// The accounts counted are the labelled accounts the findings act on or group: those flagged (verdict
    /// `throttle`, `challenge` or `block`) or given a campaign id. Accounts the findings miss altogether
    /// are left out, so that a missed account lowers recall and campaign recall but not purity.
    ///
    /// Among them, two accounts are *truly together* when both are labelled with the same (non-null)
    /// campaign, and *put together* when the findings give both the same (non-null) campaign id; an account
    /// with a null campaign (benign, lone attacker, or flagged but left ungrouped) is together with nobody.
    /// Then:
    /// - ``precision`` = pairs both put and truly together / pairs put together (a benign account in an
    ///   attack campaign, or two campaigns merged into one, lowers it);
    /// - ``recall`` = pairs both put and truly together / pairs truly together (a campaign split in two, or
    ///   a flagged member left out of its campaign, lowers it).
    ///
    /// Pairs are counted from a contingency table, as sums of C(n, 2) over its cells, never one by one.
    public struct Purity: Sendable, Hashable, Codable {
        public var truePairs: Int
        public var foundPairs: Int
        public var sharedPairs: Int
        public var precision: Double?
        public var recall: Double?
    }

    /// Requests and output tokens of attack accounts, and how much of each came from flagged ones; the same
    /// for benign accounts (the honest traffic that would be acted on).
    public struct UsageShares: Sendable, Hashable, Codable {
        public var attackRequests: Int
        public var attackRequestsFlagged: Int
        public var attackOutputTokens: Int
        public var attackOutputTokensFlagged: Int
        public var benignRequests: Int
        public var benignRequestsFlagged: Int
        public var benignOutputTokens: Int
        public var benignOutputTokensFlagged: Int
        /// Events whose account the labels do not know.
        public var unlabelledRequests: Int

        /// The shares made by flagged accounts (nil when there were no such requests or tokens).
        public var attackRequestShare: Double?
        public var attackOutputTokenShare: Double?
        public var benignRequestShare: Double?
        public var benignOutputTokenShare: Double?

        /// Computes the shares from the counts.
        mutating func computeShares() {
            attackRequestShare = ratio(attackRequestsFlagged, attackRequests)
            attackOutputTokenShare = ratio(attackOutputTokensFlagged, attackOutputTokens)
            benignRequestShare = ratio(benignRequestsFlagged, benignRequests)
            benignOutputTokenShare = ratio(benignOutputTokensFlagged, benignOutputTokens)
        }
    }
}

func ratio(_ numerator: Int, _ denominator: Int) -> Double? {
    denominator == 0 ? nil : Double(numerator) / Double(denominator)
}

// Undefined figures are written as explicit `null`s, so that a script finds every key in the JSON.

extension EvaluationReport {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accounts, forKey: .accounts)
        try c.encode(attackAccounts, forKey: .attackAccounts)
        try c.encode(benignAccounts, forKey: .benignAccounts)
        try c.encode(verdicts, forKey: .verdicts)
        try c.encode(truePositives, forKey: .truePositives)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(falseNegatives, forKey: .falseNegatives)
        try c.encode(trueNegatives, forKey: .trueNegatives)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(f1, forKey: .f1)
        try c.encode(archetypes, forKey: .archetypes)
        try c.encode(campaigns, forKey: .campaigns)
        try c.encode(campaignsCaught, forKey: .campaignsCaught)
        try c.encode(purity, forKey: .purity)
        try c.encode(usage, forKey: .usage)
        try c.encode(unknownAccounts, forKey: .unknownAccounts)
        try c.encode(unknownAccountSamples, forKey: .unknownAccountSamples)
    }
}

extension EvaluationReport.Purity {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(truePairs, forKey: .truePairs)
        try c.encode(foundPairs, forKey: .foundPairs)
        try c.encode(sharedPairs, forKey: .sharedPairs)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
    }
}

extension EvaluationReport.UsageShares {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(attackRequests, forKey: .attackRequests)
        try c.encode(attackRequestsFlagged, forKey: .attackRequestsFlagged)
        try c.encode(attackOutputTokens, forKey: .attackOutputTokens)
        try c.encode(attackOutputTokensFlagged, forKey: .attackOutputTokensFlagged)
        try c.encode(benignRequests, forKey: .benignRequests)
        try c.encode(benignRequestsFlagged, forKey: .benignRequestsFlagged)
        try c.encode(benignOutputTokens, forKey: .benignOutputTokens)
        try c.encode(benignOutputTokensFlagged, forKey: .benignOutputTokensFlagged)
        try c.encode(unlabelledRequests, forKey: .unlabelledRequests)
        try c.encode(attackRequestShare, forKey: .attackRequestShare)
        try c.encode(attackOutputTokenShare, forKey: .attackOutputTokenShare)
        try c.encode(benignRequestShare, forKey: .benignRequestShare)
        try c.encode(benignOutputTokenShare, forKey: .benignOutputTokenShare)
    }
}
