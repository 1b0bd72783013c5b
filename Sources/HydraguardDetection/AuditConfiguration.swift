/// The audit's settings. Every argument has a default, so `AuditConfiguration()` is the audit as
/// shipped; the thresholds are documented where they are used (see `AccountSignals` and `Verdicts`).
public struct AuditConfiguration: Sendable {
    /// Prompts sampled per account for content and template signals.
    public var promptSamples: Int
    /// Countries whose direct connections are a policy breach (ISO 3166-1 alpha-2).
    public var restrictedCountries: Set<String>
    /// Near-duplicate threshold: estimated Jaccard similarity of two prompts' shingles.
    public var templateSimilarity: Double
    /// Fewest accounts that make a shared prompt template a tie between accounts.
    public var templateMinAccounts: Int
    /// Fewest accounts that make a campaign.
    public var campaignMinAccounts: Int
    /// Parallel workers for ingest (default: all cores).
    public var workers: Int

    public init(
        promptSamples: Int = 24,
        restrictedCountries: Set<String> = ["KP", "IR", "CU", "SY", "RU", "BY"],
        templateSimilarity: Double = 0.45,
        templateMinAccounts: Int = 5,
        campaignMinAccounts: Int = 5,
        workers: Int = 0
    ) {
        self.promptSamples = promptSamples
        self.restrictedCountries = restrictedCountries
        self.templateSimilarity = templateSimilarity
        self.templateMinAccounts = templateMinAccounts
        self.campaignMinAccounts = campaignMinAccounts
        self.workers = workers
    }
}
