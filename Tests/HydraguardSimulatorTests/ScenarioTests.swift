import Foundation
import Testing

@testable import HydraguardSimulator

@Suite struct ScenarioTests {
    /// The committed scenarios under `scenarios/` stay valid as the format evolves.
    @Test func committedScenariosValidate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            let path = root.appendingPathComponent(file).path
            let scenario = try Scenario.load(yaml: try String(contentsOfFile: path, encoding: .utf8), file: path)
            try scenario.validate()
            #expect(scenario.campaigns.count >= 1, "\(file)")
        }
    }

    @Test(arguments: Scenario.presetNames)
    func presetsValidateAndRoundTripThroughYAML(name: String) throws {
        let preset = try Scenario.preset(name)
        try preset.validate()
        let again = try Scenario.load(yaml: preset.yaml(), file: "round-trip.yaml")
        #expect(again == preset)
    }

    @Test func unknownPresetIsNamed() {
        #expect(throws: ScenarioError.self) { try Scenario.preset("huge") }
        do {
            _ = try Scenario.preset("huge")
        } catch {
            #expect(error.kind == ScenarioError.unknownPreset)
            #expect(error.description.contains("small"))
        }
    }

    @Test func minimalFileGetsDefaults() throws {
        let s = try Scenario.load(
            yaml: "days: 3\npopulations:\n  - {archetype: casual_chat, accounts: 5}\n",
            file: "a.yaml"
        )
        #expect(s.days == 3)
        #expect(s.start == "2026-04-01")
        #expect(s.restrictedCountries.contains("KP"))
        #expect(s.populations == [Scenario.Population(.casualChat, accounts: 5)])
        #expect(s.campaigns.isEmpty)
    }

    @Test func campaignDefaultsFillIn() throws {
        let s = try Scenario.load(
            yaml: "days: 5\ncampaigns:\n  - {id: h, style: hydra, accounts: 120}\n",
            file: "c.yaml"
        )
        let c = try #require(s.campaigns.first)
        #expect(c.requestsPerDay == [20, 30])
        #expect(c.paymentCards == 10)
        #expect(c.keyRotationDays == [3, 5])
    }

    private func error(_ yaml: String) -> ScenarioError? {
        do {
            _ = try Scenario.load(yaml: yaml, file: "bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownKeyIsRejectedWithItsPath() throws {
        let e = try #require(
            error("days: 3\ncampaigns:\n  - {id: h, style: hydra, accounts: 10, request_per_day: [1, 2]}\n")
        )
        #expect(e.kind == ScenarioError.unknownKey)
        #expect(e.key == "campaigns[0].request_per_day")
        #expect(e.description.hasPrefix("bad.yaml: campaigns[0].request_per_day:"))
    }

    @Test func outOfRangeValuesNameTheKey() throws {
        let cases: [(String, String)] = [
            ("days: 0\n", "days"),
            ("days: 3\nstart: 2026-13-01\n", "start"),
            (
                "days: 3\ncampaigns:\n  - {id: h, style: hydra, accounts: 10, requests_per_day: [30, 20]}\n",
                "campaigns[0].requests_per_day"
            ),
            (
                "days: 3\ncampaigns:\n  - {id: h, style: hydra, accounts: 10, countries: [XX]}\n",
                "campaigns[0].countries[0]"
            ),
            ("days: 3\npopulations:\n  - {archetype: hydra, accounts: 10}\n", "populations[0].archetype"),
            ("days: 3\nnew_model: {name: m, release_day: 9}\n", "new_model.release_day"),
            (
                "days: 3\ncampaigns:\n  - {id: h, style: hydra, accounts: 10}\n  - {id: h, style: stealth, accounts: 10}\n",
                "campaigns[1].id"
            ),
        ]
        for (yaml, key) in cases {
            let e = try #require(error(yaml), "\(yaml)")
            #expect(e.key == key, "\(yaml) -> \(e)")
        }
    }

    @Test func wrongTypesAndMissingKeysNameTheKey() throws {
        let typed = try #require(error("days: many\n"))
        #expect(typed.key == "days")
        let missing = try #require(error("populations:\n  - {archetype: casual_chat, accounts: 5}\n"))
        #expect(missing.key == "days")
        let badArchetype = try #require(error("days: 2\npopulations:\n  - {archetype: gamer, accounts: 5}\n"))
        #expect(badArchetype.key == "populations[0].archetype")
        #expect(badArchetype.message.contains("casual_chat"))
        let badStyle = try #require(error("days: 2\ncampaigns:\n  - {id: x, style: loud, accounts: 5}\n"))
        #expect(badStyle.key == "campaigns[0].style")
        #expect(badStyle.message.contains("stealth"))
    }

    @Test func brokenYAMLIsASyntaxError() throws {
        let e = try #require(error("days: [3\n"))
        #expect(e.kind == ScenarioError.syntax)
        #expect(e.description.hasPrefix("bad.yaml:"))
    }
}
