import HydraguardIntel
import HydraguardLog
import Testing

@testable import HydraguardSimulator

@Suite struct SimulationTests {
    @Test func sameSeedGivesTheSameTraffic() throws {
        let a = try Simulation(scenario: TestScenarios.light(), seed: 3)
        let b = try Simulation(scenario: TestScenarios.light(), seed: 3)
        #expect(a.accountRecords() == b.accountRecords())
        #expect(a.labelRecords() == b.labelRecords())
        for day in 0..<2 { #expect(a.events(day: day) == b.events(day: day)) }
    }

    @Test func differentSeedsGiveDifferentTraffic() throws {
        let a = try Simulation(scenario: TestScenarios.light(), seed: 3)
        let b = try Simulation(scenario: TestScenarios.light(), seed: 4)
        #expect(Set(a.accountRecords().map(\.accountID)).isDisjoint(with: b.accountRecords().map(\.accountID)))
        #expect(a.events(day: 0).map(\.ts) != b.events(day: 0).map(\.ts))
    }

    @Test func theScenarioSeedIsTheDefault() throws {
        var scenario = TestScenarios.light()
        scenario.seed = 3
        let a = try Simulation(scenario: scenario)
        let b = try Simulation(scenario: TestScenarios.light(), seed: 3)
        #expect(a.accountRecords() == b.accountRecords())
    }

    @Test func eventsArriveInOrderInsideTheirDayAndAfterSignUp() throws {
        let sim = try Simulation(scenario: TestScenarios.light())
        let created = Dictionary(uniqueKeysWithValues: sim.accountRecords().map { ($0.accountID, $0.createdAt) })
        for day in 0..<sim.days {
            let events = sim.events(day: day)
            #expect(!events.isEmpty)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.ts <= $1.ts })
            for e in events {
                #expect(e.ts.day == sim.startDay + day)
                #expect(e.ts > created[e.accountID]!)
            }
        }
    }

    @Test func everyAccountHasOneLabelAndCountsMatchTheScenario() throws {
        let scenario = TestScenarios.everyArchetype()
        let sim = TestScenarios.generated.simulation
        let accounts = sim.accountRecords()
        let labels = sim.labelRecords()
        #expect(accounts.map(\.accountID) == labels.map(\.accountID))
        #expect(Set(accounts.map(\.accountID)).count == accounts.count)
        let expected =
            scenario.populations.reduce(0) { $0 + $1.accounts } + scenario.campaigns.reduce(0) { $0 + $1.accounts }
        #expect(accounts.count == expected)
        for label in labels {
            let archetype = try #require(Archetype(rawValue: label.archetype))
            #expect((label.label == .attack) == archetype.isAttack)
            #expect((label.campaign != nil) == archetype.isCampaign)
        }
        #expect(labels.filter { $0.campaign == "hydra-1" }.count == 60)
    }

    @Test func identifiersAndOrderGiveNoLabelAway() throws {
        let sim = TestScenarios.generated.simulation
        let accounts = sim.accountRecords()
        let labels = sim.labelRecords()
        let idShape = #/acct_[0-9a-f]{12}/#
        #expect(accounts.allSatisfy { $0.accountID.wholeMatch(of: idShape) != nil })
        // Shuffled: attack accounts are spread through the file, not in a block.
        let attackPositions = labels.enumerated().filter { $0.element.label == .attack }.map(\.offset)
        let mean = Double(attackPositions.reduce(0, +)) / Double(attackPositions.count)
        #expect(abs(mean - Double(labels.count) / 2) < Double(labels.count) / 6)
        // Hydra accounts sign up from the same e-mail domains and tiers honest users do.
        let archetype = Dictionary(uniqueKeysWithValues: labels.map { ($0.accountID, $0.archetype) })
        let hydraDomains = Set(accounts.filter { archetype[$0.accountID] == "hydra" }.compactMap(\.emailDomain))
        let casualDomains = Set(accounts.filter { archetype[$0.accountID] == "casual_chat" }.compactMap(\.emailDomain))
        #expect(hydraDomains.isSubset(of: Identity.consumerDomains))
        #expect(hydraDomains.intersection(casualDomains).count >= 3)
        // Key and request ids are random-looking too.
        let events = TestScenarios.generated.days[1]
        #expect(events.allSatisfy { $0.keyID.wholeMatch(of: #/key_[0-9a-f]{12}/#) != nil })
        #expect(events.allSatisfy { $0.requestID.wholeMatch(of: #/req_[0-9a-f]{20}/#) != nil })
        #expect(Set(events.map(\.requestID)).count == events.count)
    }

    @Test func hydraSharesOneClientStackWhileHonestUsersVary() throws {
        let archetypes = TestScenarios.generated.archetypes
        let events = TestScenarios.generated.days[1]
        let hydra = events.filter { archetypes[$0.accountID] == .hydra }
        let casual = events.filter { archetypes[$0.accountID] == .casualChat }
        #expect(Set(hydra.map { "\($0.userAgent!) \($0.tlsFingerprint!)" }).count == 1)
        #expect(Set(casual.map { "\($0.userAgent!)" }).count >= 10)
    }

    @Test func hydraReusesCardsAndRotatesKeys() throws {
        let sim = try Simulation(scenario: TestScenarios.light(days: 7))
        let archetypes = sim.archetypes()
        let hydra = sim.accountRecords().filter { archetypes[$0.accountID] == .hydra }
        let cards = hydra.compactMap(\.paymentFingerprint)
        #expect(cards.count > Set(cards).count)
        var keys: [String: Set<String>] = [:]
        for day in 0..<7 {
            for e in sim.events(day: day) where archetypes[e.accountID] == .hydra {
                keys[e.accountID, default: []].insert(e.keyID)
            }
        }
        let rotated = keys.values.filter { $0.count >= 2 }.count
        #expect(Double(rotated) / Double(keys.count) > 0.8)
    }

    @Test func hydraMovesToTheNewModelWithinADayWhileHonestUsersAdoptSlowly() throws {
        let generated = TestScenarios.generated
        let release = try #require(generated.simulation.releaseSecond)
        let all = generated.days.joined().filter { $0.status == 200 }
        func share(_ archetype: Archetype, _ window: Range<Int64>) -> Double {
            let events = all.filter {
                generated.archetypes[$0.accountID] == archetype && window.contains($0.ts.seconds)
            }
            return Double(events.filter { $0.model == "claude-opus-5" }.count) / Double(max(1, events.count))
        }
        #expect(share(.hydra, 0..<release) == 0)
        #expect(share(.hydra, (release + 86_400)..<Int64.max) > 0.4)
        #expect(share(.casualChat, (release + 86_400)..<Int64.max) < 0.15)
    }

    @Test func restrictedCountryAccountsConnectFromRestrictedCountries() throws {
        let sim = TestScenarios.generated.simulation
        let archetypes = TestScenarios.generated.archetypes
        let restricted = Set(sim.scenario.restrictedCountries)
        for day in 0..<sim.days {
            for e in TestScenarios.generated.days[day] {
                #expect(IPAddress(e.ip) != nil, "\(e.ip) is not an address")
                let country = try #require(sim.space.country(of: e.ip), "\(e.ip) is outside the space")
                if archetypes[e.accountID] == .restrictedCountry {
                    #expect(restricted.contains(country))
                } else if archetypes[e.accountID] != .restrictedCountry {
                    #expect(!restricted.contains(country), "\(archetypes[e.accountID]!) from \(country)")
                }
            }
        }
    }
}
