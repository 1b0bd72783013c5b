import HydraguardLog
import Testing

@testable import HydraguardDetection

@Suite("Campaigns")
struct CampaignTests {
    /// A hydra-like campaign: templated prompts, shared cards, rotating addresses and keys, flat rhythm.
    func addHydra(_ t: inout Traffic, accounts: Int, prefix: String = "h") {
        let tasks = ["reverse a linked list", "parse a CSV file", "implement an LRU cache", "balance a binary tree",
                     "write a rate limiter", "detect a cycle in a graph", "merge k sorted lists", "serialise a trie"]
        for a in 0..<accounts {
            var shape = Traffic.Shape(perDay: 24)
            shape.address = { d, i in "198.51.\((a * 7 + d) % 250).\((i * 13 + a) % 250 + 1)" }
            shape.key = { "\(prefix)\(a)-k\($0 / 3)" }
            shape.thinking = true
            shape.maxTokens = 32_000
            shape.inputTokens = 400
            shape.outputTokens = 5000
            shape.userAgent = "python-httpx/0.27.0"
            shape.prompt = { d, i in
                "Solve the following Python problem step by step, showing all of your reasoning before the final "
                    + "code. Problem: \(tasks[(d + i + a) % tasks.count]). Explain the time complexity of the solution."
            }
            t.add("\(prefix)\(a)", tier: .card, payment: "card-\(prefix)-\(a / 4)", shape: shape)
        }
    }

    @Test("a templated, coordinated campaign is found whole and acted against")
    func hydra() throws {
        var t = Traffic()
        addHydra(&t, accounts: 24)
        for u in 0..<30 {
            t.add("u\(u)", shape: .init(perDay: 6, hours: [18, 19, 20, 21], address: { _, _ in "192.0.2.\(u)" }, prompt: { d, i in honestPrompt(u * 1000 + d * 10 + i) }))
        }
        let result = t.audit()
        let campaigns = result.campaigns
        #expect(campaigns.count == 1)
        let members = Set(campaigns[0].members.map { result.judged[$0].profile.accountID })
        #expect(members == Set((0..<24).map { "h\($0)" }))
        for j in result.judged where j.profile.accountID.hasPrefix("h") {
            #expect(j.verdict.isAction, "\(j.profile.accountID) should be acted against, risk \(j.risk)")
        }
        for j in result.judged where j.profile.accountID.hasPrefix("u") {
            #expect(j.verdict == .allow, "\(j.profile.accountID) is honest, risk \(j.risk)")
        }
        let evidence = Set(campaigns[0].assessment.evidence.map(\.name))
        #expect(evidence.contains("prompt_template_shared"))
        #expect(evidence.contains("shared_payment_fp"))
        #expect(campaigns[0].assessment.targets.contains("coding"))
        let findings = result.findings()
        try findings.validate(file: "test")
        #expect(findings.campaigns[0].accounts.count == 24)
    }

    @Test("users of one coding tool share its system prompt but are not tied by it")
    func sharedSystemPrompt() {
        var t = Traffic()
        let system = String(repeating: "You are an expert coding agent with access to tools. Follow the rules. ", count: 25)
        for u in 0..<40 {
            var shape = Traffic.Shape(perDay: 60, hours: Array(8..<19))
            shape.system = system
            shape.tools = 18
            shape.inputTokens = 40_000
            shape.userAgent = "claude-cli/2.0.\(u % 5)"
            shape.address = { _, _ in "192.0.2.\(u + 1)" }
            shape.prompt = { d, i in "in repo \(u): " + honestPrompt(u * 10_000 + d * 100 + i) }
            t.add("dev\(u)", tier: .card, payment: "card-\(u)", shape: shape)
        }
        let result = t.audit()
        #expect(result.campaigns.isEmpty)
        #expect(result.judged.allSatisfy { $0.verdict == .allow })
    }

    @Test("a class sending one assignment forms a group but is not acted against")
    func classCohort() {
        var t = Traffic()
        let week = Traffic.start.adding(seconds: -86_400 * 5)
        for s in 0..<35 {
            var shape = Traffic.Shape(days: 10, perDay: 4, hours: [14, 15, 19, 21])
            shape.address = { _, _ in "192.0.2.\(s + 1)" }
            shape.prompt = { d, i in
                "For CS101 homework 3, explain step by step how binary search works on a sorted list of \(d + i + s) numbers and give its complexity."
            }
            t.add(
                "student\(s)", tier: .email, signupIP: "192.0.2.200", created: week.adding(seconds: Double(s * 3600)),
                shape: shape)
        }
        let result = t.audit()
        for j in result.judged {
            #expect(!j.verdict.isAction, "\(j.profile.accountID) is a student, risk \(j.risk)")
        }
        // They are tied (shared template and sign-up address), and judged as one group of low risk.
        #expect(result.assessments.count == 1)
        #expect((result.assessments.first?.risk ?? 1) < Verdicts.throttle)
    }

    @Test("an organisation's accounts sharing a card and templates are not a campaign")
    func organisation() {
        var t = Traffic()
        for a in 0..<8 {
            var shape = Traffic.Shape(perDay: 200)
            shape.address = { _, _ in "203.0.113.\(a + 1)" }
            shape.prompt = { d, i in "Summarise support ticket \(d * 1000 + i): the customer reports a billing problem." }
            t.add("batch\(a)", tier: .enterprise, org: "org-acme", payment: "card-acme", shape: shape)
        }
        let result = t.audit()
        #expect(result.assessments.isEmpty)
        #expect(result.judged.allSatisfy { !$0.verdict.isAction })
    }

    @Test("without any prompt text, shared exit addresses and cards still tie a campaign together")
    func noText() {
        var t = Traffic()
        for a in 0..<16 {
            var shape = Traffic.Shape(perDay: 24)
            // A proxy pool of 64 exits that all the campaign's accounts draw from.
            shape.address = { d, i in "198.51.100.\((a * 5 + d * 7 + i * 11) % 64 + 1)" }
            shape.key = { "k\(a)-\($0 / 3)" }
            shape.thinking = true
            shape.maxTokens = 32_000
            shape.outputTokens = 5000
            shape.prompt = { _, _ in "" }
            t.add("h\(a)", tier: .free, payment: a % 2 == 0 ? "card-\(a)" : nil, shape: shape)
        }
        for u in 0..<20 {
            t.add("u\(u)", shape: .init(perDay: 5, hours: [19, 20, 21], address: { _, _ in "192.0.2.\(u + 1)" }, prompt: { _, _ in "" }))
        }
        let result = t.audit()
        #expect(result.campaigns.count == 1)
        let members = Set(result.campaigns.first?.members.map { result.judged[$0].profile.accountID } ?? [])
        #expect(members == Set((0..<16).map { "h\($0)" }))
        #expect(result.judged.filter { $0.profile.accountID.hasPrefix("u") }.allSatisfy { $0.verdict == .allow })
    }

    @Test("two operators using the same templates on their own client stacks are two campaigns")
    func twoOperators() {
        var t = Traffic()
        addHydra(&t, accounts: 16, prefix: "a")
        addHydra(&t, accounts: 16, prefix: "b")
        useOwnClientStack(&t, prefix: "b")
        let result = t.audit()
        #expect(result.campaigns.count == 2)
        for campaign in result.campaigns {
            let prefixes = Set(campaign.members.map { result.judged[$0].profile.accountID.prefix(1) })
            #expect(prefixes.count == 1, "a campaign mixes operators: \(prefixes)")
            #expect(campaign.members.count == 16)
        }
    }

    @Test("a relay carrying a campaign's templates in its rhythm is flagged; a researcher sending them by day is not")
    func relayAndResearcher() {
        var t = Traffic()
        addHydra(&t, accounts: 20)
        let tasks = ["reverse a linked list", "parse a CSV file", "implement an LRU cache", "balance a binary tree"]
        func mixed(_ d: Int, _ i: Int) -> String {
            i % 2 == 0
                ? "Solve the following Python problem step by step, showing all of your reasoning before the final "
                    + "code. Problem: \(tasks[(d + i) % tasks.count]). Explain the time complexity of the solution."
                : honestPrompt(d * 1000 + i + 77)
        }
        var relay = Traffic.Shape(perDay: 48)
        relay.address = { _, i in "203.0.113.\(i % 3 + 1)" }
        relay.prompt = mixed
        t.add("relay", tier: .enterprise, org: "org-relay", shape: relay)
        var researcher = Traffic.Shape(perDay: 48, hours: [9, 10, 11, 13, 14, 15, 16])
        researcher.address = { _, _ in "192.0.2.50" }
        researcher.thinking = true
        researcher.maxTokens = 16_000
        researcher.prompt = mixed
        t.add("researcher", tier: .enterprise, org: "org-lab", shape: researcher)
        let result = t.audit()
        let relayJudged = result.judged.first { $0.profile.accountID == "relay" }!
        #expect(relayJudged.verdict.isAction, "relay risk \(relayJudged.risk)")
        #expect(relayJudged.signals.contains { $0.name == "carries_campaign_traffic" })
        let researcherJudged = result.judged.first { $0.profile.accountID == "researcher" }!
        #expect(!researcherJudged.verdict.isAction, "researcher risk \(researcherJudged.risk)")
    }

    @Test("a relay carrying a template kit that two campaigns share is flagged")
    func relayOfASharedTemplateKit() {
        var t = Traffic()
        // Two operators on their own client stacks, one template kit: no single campaign holds 80% of the
        // kit's accounts, but campaigns together do.
        addHydra(&t, accounts: 12, prefix: "a")
        addHydra(&t, accounts: 10, prefix: "b")
        useOwnClientStack(&t, prefix: "b")
        let tasks = ["reverse a linked list", "parse a CSV file", "implement an LRU cache", "balance a binary tree"]
        var relay = Traffic.Shape(perDay: 48)
        relay.address = { _, i in "203.0.113.\(i % 3 + 1)" }
        relay.prompt = { d, i in
            i % 3 == 0
                ? "Solve the following Python problem step by step, showing all of your reasoning before the final "
                    + "code. Problem: \(tasks[(d + i) % tasks.count]). Explain the time complexity of the solution."
                : honestPrompt(d * 1000 + i + 77)
        }
        t.add("relay", tier: .enterprise, org: "org-relay", shape: relay)
        let result = t.audit()
        #expect(result.campaigns.count == 2)
        let relayJudged = result.judged.first { $0.profile.accountID == "relay" }!
        #expect(relayJudged.signals.contains { $0.name == "carries_campaign_traffic" })
        #expect(relayJudged.verdict.isAction, "relay risk \(relayJudged.risk)")
    }

    /// Moves the accounts whose ids start with `prefix` to a client stack of their own (a second operator).
    func useOwnClientStack(_ t: inout Traffic, prefix: String) {
        for i in t.events.indices where t.events[i].accountID.hasPrefix(prefix) {
            t.events[i].userAgent = "OpenAI/Python 1.93.1"
            t.events[i].tlsFingerprint = "t13d1812h1_85036bcba153_f2a5c7d3a1d4"
        }
    }
}
