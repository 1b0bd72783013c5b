/// The behaviours the simulator can give an account: honest ones and attack styles.
public enum Archetype: String, Sendable, Hashable, CaseIterable, Codable {
    case casualChat = "casual_chat"
    case codingAgent = "coding_agent"
    case enterpriseBatch = "enterprise_batch"
    case classCohort = "class_cohort"
    case vpnUser = "vpn_user"
    case researchBenchmark = "research_benchmark"
    case startup
    case honestReseller = "honest_reseller"
    case hydra
    case stealth
    case resellerConduit = "reseller_conduit"
    case naiveExtractor = "naive_extractor"
    case restrictedCountry = "restricted_country"

    /// Whether accounts of this archetype are labelled `attack`.
    public var isAttack: Bool {
        switch self {
        case .hydra, .stealth, .resellerConduit, .naiveExtractor, .restrictedCountry: return true
        default: return false
        }
    }

    /// Whether the archetype runs as a coordinated campaign (declared under `campaigns:`), rather than
    /// as a population of independent accounts (declared under `populations:`).
    public var isCampaign: Bool { self == .hydra || self == .stealth }

    /// Archetypes that `populations:` may name.
    public static var populationArchetypes: [Archetype] { allCases.filter { !$0.isCampaign } }
}
