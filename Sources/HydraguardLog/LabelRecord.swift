/// Ground truth for one simulated account: a line of a labels file, written by `hydraguard simulate`
/// only and read by the evaluation only (never by the audit).
public struct LabelRecord: Sendable, Hashable {
    public enum Label: String, Sendable, Hashable, Codable {
        case benign, attack
    }

    public var accountID: String
    public var label: Label
    /// The behaviour the account was simulated with, e.g. `coding_agent`, `hydra`.
    public var archetype: String
    /// The campaign an attack account belongs to; nil for benign accounts and lone attackers.
    public var campaign: String?

    public init(accountID: String, label: Label, archetype: String, campaign: String? = nil) {
        self.accountID = accountID
        self.label = label
        self.archetype = archetype
        self.campaign = campaign
    }
}
