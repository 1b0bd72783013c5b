extension Scenario {
    /// Names of the built-in scenarios.
    public static let presetNames = ["small", "medium", "real-case"]

    /// A built-in scenario by name: `small` (about 300k events over 14 days), `medium` (about 3M over 28
    /// days, two hydra campaigns and a stealth one) or `real-case` (25,000 hydra accounts sending 28.8M
    /// requests over six weeks beside an honest population).
    public static func preset(_ name: String) throws(ScenarioError) -> Scenario {
        switch name {
        case "small": return small
        case "medium": return medium
        case "real-case", "real_case": return realCase
        default: throw ScenarioError.unknownPreset(name)
        }
    }

    static var small: Scenario {
        Scenario(
            name: "small", seed: 1, start: "2026-04-01", days: 14,
            newModel: NewModel(name: "claude-opus-5", releaseDay: 9),
            populations: [
                Population(.casualChat, accounts: 1200),
                Population(.codingAgent, accounts: 12, groups: 3),
                Population(.enterpriseBatch, accounts: 4, groups: 2),
                Population(.classCohort, accounts: 60, groups: 1),
                Population(.vpnUser, accounts: 80),
                Population(.researchBenchmark, accounts: 3, groups: 1),
                Population(.startup, accounts: 6, groups: 3),
                Population(.honestReseller, accounts: 1),
                Population(.resellerConduit, accounts: 1),
                Population(.naiveExtractor, accounts: 1),
                Population(.restrictedCountry, accounts: 12),
            ],
            campaigns: [
                Campaign(id: "hydra-1", style: .hydra, accounts: 240, waves: 3, firstWaveDay: -6, waveSpacingDays: 4),
                Campaign(id: "stealth-1", style: .stealth, accounts: 20, requestsPerDay: [25, 45]),
            ])
    }

    static var medium: Scenario {
        Scenario(
            name: "medium", seed: 1, start: "2026-04-01", days: 28,
            newModel: NewModel(name: "claude-opus-5", releaseDay: 17),
            populations: [
                Population(.casualChat, accounts: 6000),
                Population(.codingAgent, accounts: 60, groups: 3),
                Population(.enterpriseBatch, accounts: 14, groups: 4),
                Population(.classCohort, accounts: 240, groups: 3),
                Population(.vpnUser, accounts: 300),
                Population(.researchBenchmark, accounts: 8, groups: 2),
                Population(.startup, accounts: 30, groups: 12),
                Population(.honestReseller, accounts: 2),
                Population(.resellerConduit, accounts: 1),
                Population(.naiveExtractor, accounts: 2),
                Population(.restrictedCountry, accounts: 40),
            ],
            campaigns: [
                Campaign(id: "hydra-1", style: .hydra, accounts: 1000, waves: 5, firstWaveDay: -8, waveSpacingDays: 5),
                Campaign(
                    id: "hydra-2", style: .hydra, accounts: 250, waves: 2, firstWaveDay: 6, waveSpacingDays: 7,
                    requestsPerDay: [15, 25], countries: ["US", "GB", "DE", "JP", "KR", "SG", "CA"],
                    keyRotationDays: [2, 4]),
                Campaign(id: "stealth-1", style: .stealth, accounts: 60, requestsPerDay: [25, 45]),
            ])
    }

    static var realCase: Scenario {
        Scenario(
            name: "real-case", seed: 1, start: "2026-04-01", days: 42,
            newModel: NewModel(name: "claude-opus-5", releaseDay: 30),
            populations: [
                Population(.casualChat, accounts: 8000),
                Population(.codingAgent, accounts: 60, groups: 3),
                Population(.enterpriseBatch, accounts: 14, groups: 4),
                Population(.classCohort, accounts: 240, groups: 3),
                Population(.vpnUser, accounts: 300),
                Population(.researchBenchmark, accounts: 8, groups: 2),
                Population(.startup, accounts: 30, groups: 12),
                Population(.honestReseller, accounts: 2),
                Population(.resellerConduit, accounts: 1),
                Population(.naiveExtractor, accounts: 2),
                Population(.restrictedCountry, accounts: 40),
            ],
            campaigns: [
                Campaign(
                    id: "hydra-1", style: .hydra, accounts: 25_000, waves: 6, firstWaveDay: -30, waveSpacingDays: 5,
                    requestsPerDay: [25, 30], paymentCards: 900),
                Campaign(id: "stealth-1", style: .stealth, accounts: 80, requestsPerDay: [25, 45]),
            ])
    }
}
