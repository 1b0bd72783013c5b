public import HydraguardLog

/// A scenario made concrete for one seed: every account, organisation and campaign, ready to generate
/// any day's traffic on demand.
///
/// ```swift
/// let simulation = try Simulation(scenario: .preset("small"), seed: 42)
/// let firstDay = simulation.events(day: 0)          // sorted by arrival
/// let accounts = simulation.accountRecords()         // shuffled
/// ```
public struct Simulation: Sendable {
    public let scenario: Scenario
    public let seed: UInt64
    /// The window: epoch days `startDay ..< startDay + days`.
    public let startDay: Int
    public var days: Int { scenario.days }
    let space: AddressSpace
    var profiles: [AccountProfile] = []
    var groups: [GroupPlan] = []
    var campaigns: [CampaignPlan] = []
    /// UTC second the new model is released, if one is.
    var releaseSecond: Int64?
    var allowedCountries: [String] = []
    var allowedWeights: [Double] = []
    var restricted: [String] = []

    /// Builds the population. Throws when the scenario does not validate.
    public init(scenario: Scenario, seed: UInt64? = nil, space: AddressSpace = .standard) throws(ScenarioError) {
        try scenario.validate()
        self.scenario = scenario
        self.seed = seed ?? scenario.seed
        self.startDay = scenario.startDay!
        self.space = space
        build()
    }

    /// How many accounts of each archetype the population holds.
    public var accountCount: Int { profiles.count }

    /// The accounts file's records, in an order unrelated to archetype.
    public func accountRecords() -> [AccountRecord] {
        shuffledProfiles().map(\.record)
    }

    /// The labels file's records, in the same order as ``accountRecords()``.
    public func labelRecords() -> [LabelRecord] {
        shuffledProfiles().map { p in
            LabelRecord(
                accountID: p.record.accountID, label: p.archetype.isAttack ? .attack : .benign,
                archetype: p.archetype.rawValue,
                campaign: p.campaign >= 0 ? campaigns[p.campaign].scenario.id : nil)
        }
    }

    /// The archetype of every account id (for summaries and tests).
    public func archetypes() -> [String: Archetype] {
        Dictionary(uniqueKeysWithValues: profiles.map { ($0.record.accountID, $0.archetype) })
    }

    private func shuffledProfiles() -> [AccountProfile] {
        var order = profiles
        var rng = SeededRandom(seed: seed, 0x5348_5546)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, rng.int(in: 0...i)) }
        return order
    }
}
