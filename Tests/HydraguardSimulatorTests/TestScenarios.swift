import HydraguardLog

@testable import HydraguardSimulator

/// Small scenarios that still hold every archetype, so tests run in seconds.
enum TestScenarios {
    static func everyArchetype(days: Int = 4) -> Scenario {
        Scenario(
            name: "test",
            seed: 11,
            start: "2026-05-04",
            days: days,
            newModel: Scenario.NewModel(name: "claude-opus-5", releaseDay: min(1, days - 1)),
            populations: [
                Scenario.Population(.casualChat, accounts: 60),
                Scenario.Population(.codingAgent, accounts: 3, groups: 2),
                Scenario.Population(.enterpriseBatch, accounts: 2, groups: 1),
                Scenario.Population(.classCohort, accounts: 30, groups: 1),
                Scenario.Population(.vpnUser, accounts: 20),
                Scenario.Population(.researchBenchmark, accounts: 2, groups: 1),
                Scenario.Population(.startup, accounts: 2, groups: 1),
                Scenario.Population(.honestReseller, accounts: 1),
                Scenario.Population(.resellerConduit, accounts: 1),
                Scenario.Population(.naiveExtractor, accounts: 1),
                Scenario.Population(.restrictedCountry, accounts: 10),
            ],
            campaigns: [
                Scenario.Campaign(
                    id: "hydra-1",
                    style: .hydra,
                    accounts: 60,
                    waves: 2,
                    firstWaveDay: -3,
                    waveSpacingDays: 2
                ),
                Scenario.Campaign(id: "stealth-1", style: .stealth, accounts: 10, requestsPerDay: [25, 45]),
            ]
        )
    }

    /// The every-archetype scenario's 3 days, generated once for all tests that only read them.
    static let generated: Generated = {
        let sim = try! Simulation(scenario: everyArchetype(days: 3), seed: 21)
        return Generated(
            simulation: sim,
            days: (0..<sim.days).map { sim.events(day: $0) },
            archetypes: sim.archetypes()
        )
    }()

    struct Generated: Sendable {
        let simulation: Simulation
        let days: [[UsageEvent]]
        let archetypes: [String: Archetype]
    }

    /// Only the archetypes that send little, for tests that generate every account's days.
    static func light(days: Int = 3) -> Scenario {
        Scenario(
            name: "light",
            seed: 5,
            start: "2026-05-04",
            days: days,
            populations: [
                Scenario.Population(.casualChat, accounts: 40),
                Scenario.Population(.classCohort, accounts: 20, groups: 1),
                Scenario.Population(.vpnUser, accounts: 10),
                Scenario.Population(.restrictedCountry, accounts: 5),
            ],
            campaigns: [Scenario.Campaign(id: "hydra-1", style: .hydra, accounts: 30, waves: 1, firstWaveDay: -2)]
        )
    }
}
