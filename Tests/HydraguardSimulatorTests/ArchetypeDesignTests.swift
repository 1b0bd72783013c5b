import HydraguardLog
import Testing

@testable import HydraguardSimulator

/// Each archetype's traffic shows the statistics its design promises (``ArchetypeDesign``): the median over
/// its account-days of requests, active hours, addresses and output/input tokens.
@Suite struct ArchetypeDesignTests {
    struct DayStats {
        var requests = 0
        var hours = Set<Int>()
        var addresses = Set<String>()
        var input = 0
        var output = 0
    }

    /// Every archetype's account-days over a 3-day window, computed once.
    static let stats: [Archetype: [DayStats]] = {
        let generated = TestScenarios.generated
        let sim = generated.simulation
        let archetypes = generated.archetypes
        var perDay: [String: DayStats] = [:]
        var result: [Archetype: [DayStats]] = [:]
        // Skip the first day: accounts created on it have partial days.
        for day in 1..<sim.days {
            perDay.removeAll()
            for e in generated.days[day] {
                var s = perDay[e.accountID] ?? DayStats()
                s.requests += 1
                s.hours.insert(e.ts.secondOfDay / 3600)
                s.addresses.insert(e.ip)
                s.input += e.inputTokens
                s.output += e.outputTokens
                perDay[e.accountID] = s
            }
            for (account, s) in perDay { result[archetypes[account]!, default: []].append(s) }
        }
        return result
    }()

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    @Test(arguments: Archetype.allCases)
    func statisticsMatchTheDesign(archetype: Archetype) throws {
        let days = try #require(Self.stats[archetype], "no active day for \(archetype)")
        let design = archetype.design
        let requests = Self.median(days.map { Double($0.requests) })
        let hours = Self.median(days.map { Double($0.hours.count) })
        let addresses = Self.median(days.map { Double($0.addresses.count) })
        let ratio = Self.median(days.map { Double($0.output) / Double(max(1, $0.input)) })
        #expect(design.requestsPerDay.contains(requests), "\(archetype) requests/day \(requests)")
        #expect(design.hoursActive.contains(hours), "\(archetype) hours active \(hours)")
        #expect(design.addressesPerDay.contains(addresses), "\(archetype) addresses/day \(addresses)")
        #expect(design.outputInputRatio.contains(ratio), "\(archetype) output/input \(ratio)")
    }

    @Test func hydraSpreadsEvenlyRoundTheClockAndStealthLooksHuman() throws {
        let hydra = try #require(Self.stats[.hydra])
        let stealth = try #require(Self.stats[.stealth])
        // Nearly every hydra account-day touches most hours; a stealth day is a few sessions.
        #expect(Self.median(hydra.map { Double($0.hours.count) }) >= 16)
        #expect(Self.median(stealth.map { Double($0.hours.count) }) <= 6)
        // Stealth keeps one sticky address a (local) day, hydra a new exit per request.
        #expect(stealth.allSatisfy { $0.addresses.count == 1 })
        #expect(hydra.allSatisfy { Double($0.addresses.count) >= Double($0.requests) * 0.8 })
    }

    @Test func codingAgentsSendHugeContextsAndChatIsBalanced() throws {
        let coding = try #require(Self.stats[.codingAgent])
        let chat = try #require(Self.stats[.casualChat])
        let codingInput = Self.median(coding.map { Double($0.input) / Double($0.requests) })
        let chatInput = Self.median(chat.map { Double($0.input) / Double($0.requests) })
        #expect(codingInput > 10_000)
        #expect(chatInput < 5_000)
    }
}
