import HydraguardLog

/// Everything fixed about one simulated account: who it says it is, where it connects from, how it behaves.
struct AccountProfile: Sendable {
    /// Position in generation order: the coordinate of every random stream of this account.
    var index: Int
    var archetype: Archetype
    /// Index into ``Simulation/campaigns``, or -1.
    var campaign: Int
    /// Index into ``Simulation/groups`` (organisation, class, tool), or -1.
    var group: Int
    var record: AccountRecord
    /// Epoch day the account starts sending (its creation day).
    var firstDay: Int
    /// Country and timezone of the person behind it (or the one it pretends).
    var country: String
    var utcOffsetSeconds: Int
    /// Stable addresses: home, office, servers.
    var addresses: [String]
    var client: ClientStack
    /// Archetype-specific intensity (requests per active day, or the chance of being active).
    var rate: Double
    var activeChance: Double
    /// Days between API key rotations, and the phase of the schedule.
    var keyRotationDays: Int
    var keyPhase: Int
    /// Epoch day this account starts using the newly released model (Int.max: never).
    var adoptsNewModel: Int
    var tools: Int
    var salt: UInt64
}

/// What accounts of one organisation, class or tool share.
struct GroupPlan: Sendable {
    var archetype: Archetype
    var number: Int
    var orgID: String?
    var addresses: [String]
    var client: ClientStack
    var country: String
    var utcOffsetSeconds: Int
    var emailDomain: String
    /// Epoch day the group was formed (a class's sign-up week).
    var createdDay: Int
    /// Class meetings: weekdays (0 = Monday) and start hour, local time.
    var meetingDays: [Int]
    var meetingHour: Int
    var system: String?
}

/// What a campaign's accounts share.
struct CampaignPlan: Sendable {
    var scenario: Scenario.Campaign
    var client: ClientStack
    var cards: [String]
    var countries: [String]
    /// UTC second from which half the traffic goes to the new model, if one is released.
    var switchSecond: Int64?
}
