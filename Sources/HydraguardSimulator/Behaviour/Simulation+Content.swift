import HydraguardLog

/// What one request asks for, before ids and status are attached.
struct Draft {
    var model: String
    var endpoint: String
    var input: Int
    var output: Int
    var thinking: Bool? = nil
    var maxTokens: Int? = nil
    var tools: Int? = nil
    var system: String? = nil
    var prompt: String? = nil
    var stream: Bool? = nil
    var ip: String
    var client: ClientStack
}

extension Simulation {
    /// One request of account `p` at `ts`.
    func event(_ p: AccountProfile, localDay: Int, ts: Timestamp, rng: inout SeededRandom) -> UsageEvent {
        var d = draft(p, localDay: localDay, ts: ts, rng: &rng)
        if let cap = d.maxTokens { d.output = min(d.output, cap) }
        var status = 200
        let roll = rng.unit()
        if roll < 0.012 {
            status = 429
        } else if roll < 0.02 {
            status = 400
        } else if roll < 0.024 {
            status = rng.chance(0.5) ? 500 : 529
        }
        if status != 200 {
            d.input = status == 500 || status == 529 ? d.input : 0
            d.output = 0
        }
        let latency = status == 200
            ? 250 + Int(Double(d.output) * (d.thinking == true ? 11 : 16) * rng.double(in: 0.7...1.3)) + d.input / 60
            : rng.int(in: 20...400)
        return UsageEvent(
            ts: ts, requestID: "req_" + rng.hex(16) + rng.hex(4), accountID: p.record.accountID, orgID: p.record.orgID,
            keyID: keyID(p, day: localDay), ip: d.ip, userAgent: d.client.userAgent, tlsFingerprint: d.client.tlsFingerprint,
            endpoint: d.endpoint, model: d.model, status: status, inputTokens: d.input, outputTokens: d.output,
            latencyMs: latency, stream: d.stream, thinking: d.thinking, maxTokens: d.maxTokens, tools: d.tools,
            system: d.system, prompt: d.prompt)
    }

    func keyID(_ p: AccountProfile, day: Int) -> String {
        let epoch = (day + p.keyPhase) / max(1, p.keyRotationDays)
        return "key_" + Hex.string(SeededRandom.key(seed, [UInt64(p.index), UInt64(bitPattern: Int64(epoch)), 0x6B6579]), digits: 12)
    }

    /// The model an honest account asks for, adopting the new one gradually.
    func honestModel(_ p: AccountProfile, endpoint: String, localDay: Int, rng: inout SeededRandom) -> String {
        if let model = scenario.newModel, endpoint == "/v1/messages", localDay >= p.adoptsNewModel, rng.chance(0.45) {
            return model.name
        }
        return Models.pick(endpoint: endpoint, rng: &rng)
    }

    /// An address from the account's stable set, mostly the one of the day.
    func stableAddress(_ p: AccountProfile, localDay: Int, rng: inout SeededRandom) -> String {
        let count = p.addresses.count
        if count == 1 { return p.addresses[0] }
        let primary = Int(SeededRandom.mix(p.salt ^ UInt64(bitPattern: Int64(localDay))) % UInt64(count))
        return rng.chance(0.85) ? p.addresses[primary] : p.addresses[rng.int(in: 0..<count)]
    }

    func draft(_ p: AccountProfile, localDay: Int, ts: Timestamp, rng: inout SeededRandom) -> Draft {
        switch p.archetype {
        case .casualChat, .vpnUser, .restrictedCountry:
            let endpoint = p.client.endpoint
            var ip = stableAddress(p, localDay: localDay, rng: &rng)
            if p.archetype == .vpnUser, rng.chance(0.1) { ip = rng.pick(p.addresses) }
            let turn = rng.int(in: 0...6)
            let thinking = rng.chance(0.06)
            return Draft(
                model: honestModel(p, endpoint: endpoint, localDay: localDay, rng: &rng), endpoint: endpoint,
                input: Int(rng.logNormal(median: 450, sigma: 0.8)) + turn * rng.int(in: 150...600),
                output: Int(rng.logNormal(median: thinking ? 1_400 : 420, sigma: 0.7)),
                thinking: thinking ? true : nil, maxTokens: rng.chance(0.7) ? rng.pick([1024, 2048, 4096, 8192]) : nil,
                tools: rng.chance(0.08) ? rng.int(in: 1...4) : nil, system: nil, prompt: ChatPrompts.chat(&rng),
                stream: rng.chance(0.7), ip: ip, client: p.client)
        case .codingAgent:
            let g = groups[p.group]
            let weekday = !Rhythm.isWeekend(localDay)
            let office = p.addresses.last!
            let home = p.addresses[0]
            let atOffice = weekday && SeededRandom.mix(p.salt &+ UInt64(localDay)) % 10 < 6
            let ip = rng.chance(0.9) ? (atOffice ? office : home) : rng.pick(p.addresses)
            let thinking = rng.chance(0.3)
            let endpoint = p.client.endpoint
            let model: String
            if endpoint == "/v1/messages" {
                if let m = scenario.newModel, localDay >= p.adoptsNewModel, rng.chance(0.5) {
                    model = m.name
                } else {
                    model = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"][rng.weighted([0.7, 0.2, 0.1])]
                }
            } else {
                model = Models.pick(endpoint: endpoint, rng: &rng)
            }
            return Draft(
                model: model, endpoint: endpoint,
                input: min(180_000, max(6_000, Int(rng.logNormal(median: 32_000, sigma: 0.6)))),
                output: min(12_000, max(20, Int(rng.logNormal(median: thinking ? 900 : 320, sigma: 0.9)))),
                thinking: thinking, maxTokens: rng.pick([8192, 16384, 32000]), tools: p.tools, system: g.system,
                prompt: rng.chance(0.3) ? CodingPrompts.instruction(&rng) : CodingPrompts.toolResult(&rng),
                stream: true, ip: ip, client: p.client)
        case .enterpriseBatch:
            let g = groups[p.group]
            return Draft(
                model: rng.chance(0.8) ? "claude-haiku-4-5" : "claude-sonnet-4-5", endpoint: "/v1/messages",
                input: Int(rng.logNormal(median: 1_400, sigma: 0.45)), output: Int(rng.logNormal(median: 220, sigma: 0.5)),
                thinking: false, maxTokens: 1024, tools: 0, system: g.system,
                prompt: WorkPrompts.batch(g.number + Int(p.salt % 2), &rng), stream: false,
                ip: rng.pick(p.addresses), client: p.client)
        case .researchBenchmark:
            let g = groups[p.group]
            let suite = Int(SeededRandom.mix(p.salt ^ UInt64(localDay)) % 3)
            let model: String
            if let m = scenario.newModel, localDay >= p.adoptsNewModel, rng.chance(0.6) {
                model = m.name
            } else {
                model = rng.pick(["claude-opus-4-1", "claude-sonnet-4-5"])
            }
            return Draft(
                model: model, endpoint: "/v1/messages", input: Int(rng.logNormal(median: 480, sigma: 0.5)),
                output: Int(rng.logNormal(median: 4_500, sigma: 0.7)), thinking: true,
                maxTokens: rng.pick([32000, 64000]), tools: 0, system: nil,
                prompt: WorkPrompts.benchmark(suite + g.number, item: rng.int(in: 1...5000), &rng), stream: false,
                ip: rng.pick(p.addresses), client: p.client)
        case .startup:
            let g = groups[p.group]
            let endpoint = p.client.endpoint
            return Draft(
                model: Models.pick(endpoint: endpoint, rng: &rng), endpoint: endpoint,
                input: Int(rng.logNormal(median: 900, sigma: 0.6)), output: Int(rng.logNormal(median: 500, sigma: 0.6)),
                thinking: nil, maxTokens: 2048, tools: rng.int(in: 0...3), system: g.system, prompt: ChatPrompts.chat(&rng),
                stream: true, ip: rng.pick(p.addresses), client: p.client)
        case .honestReseller, .resellerConduit:
            let ip = rng.pick(p.addresses)
            if p.archetype == .resellerConduit && rng.chance(0.35) {
                return extraction(p, ts: ts, ip: ip, client: p.client, rng: &rng)
            }
            let coding = rng.chance(0.3)
            let endpoint = p.client.endpoint
            let thinking = rng.chance(0.1)
            return Draft(
                model: Models.pick(endpoint: endpoint, rng: &rng), endpoint: endpoint,
                input: Int(rng.logNormal(median: coding ? 6_000 : 800, sigma: 0.8)),
                output: Int(rng.logNormal(median: thinking ? 2_000 : 450, sigma: 0.7)), thinking: thinking,
                maxTokens: rng.pick([2048, 4096, 8192]), tools: coding ? rng.int(in: 0...12) : 0,
                system: rng.chance(0.5) ? WorkPrompts.startupSystem(rng.int(in: 0..<10)) : nil,
                prompt: coding ? CodingPrompts.instruction(&rng) : ChatPrompts.chat(&rng), stream: rng.chance(0.8),
                ip: ip, client: p.client)
        case .classCohort:
            let g = groups[p.group]
            let secondOfDay = Double(ts.seconds - (Int64(localDay) * 86_400 - Int64(p.utcOffsetSeconds)))
            let inClass = g.meetingDays.contains(Rhythm.weekday(localDay))
                && secondOfDay < Double(g.meetingHour + 3) * 3600
            let week = max(1, (localDay - g.createdDay) / 7 + 1)
            return Draft(
                model: rng.chance(0.7) ? "claude-sonnet-4-5" : "claude-haiku-4-5", endpoint: "/v1/messages",
                input: Int(rng.logNormal(median: 700, sigma: 0.4)), output: Int(rng.logNormal(median: 650, sigma: 0.5)),
                thinking: nil, maxTokens: 1024, tools: nil, system: nil,
                prompt: WorkPrompts.assignment(g.number, week: week, &rng), stream: rng.chance(0.5),
                ip: inClass ? p.addresses[0] : p.addresses[p.addresses.count - 1], client: p.client)
        case .naiveExtractor:
            return extraction(p, ts: ts, ip: rng.pick(p.addresses), client: p.client, rng: &rng)
        case .hydra:
            let plan = campaigns[p.campaign]
            let country = rng.pick(plan.countries)
            let ip = space.randomAddress(rng.chance(0.9) ? .residential : .mobile, in: country, ipv6: rng.chance(0.1), rng: &rng)
            if rng.chance(plan.scenario.coverTraffic) {
                return Draft(
                    model: "claude-haiku-4-5", endpoint: plan.client.endpoint, input: Int(rng.logNormal(median: 60, sigma: 0.5)),
                    output: Int(rng.logNormal(median: 200, sigma: 0.6)), maxTokens: 1024,
                    prompt: ExtractionPrompts.cover(&rng), stream: true, ip: ip, client: plan.client)
            }
            var d = extraction(p, ts: ts, ip: ip, client: plan.client, rng: &rng)
            d.stream = true
            return d
        case .stealth:
            // One sticky residential address per day.
            var dayRng = SeededRandom(seed: seed, UInt64(p.index), UInt64(bitPattern: Int64(localDay)), 0x5354_4943)
            let ip = space.randomAddress(.residential, in: p.country, rng: &dayRng)
            let thinking = rng.chance(0.6)
            let endpoint = p.client.endpoint
            let model: String
            if let m = scenario.newModel, endpoint == "/v1/messages", localDay >= p.adoptsNewModel, rng.chance(0.5) {
                model = m.name
            } else {
                model = endpoint == "/v1/messages" ? rng.pick(["claude-sonnet-4-5", "claude-opus-4-1"]) : "gpt-4.1"
            }
            return Draft(
                model: model, endpoint: endpoint, input: Int(rng.logNormal(median: 350, sigma: 0.6)),
                output: Int(rng.logNormal(median: thinking ? 3_200 : 1_500, sigma: 0.6)), thinking: thinking,
                maxTokens: rng.pick([8192, 12000, 16000]), tools: rng.chance(0.2) ? rng.int(in: 2...8) : nil,
                prompt: ExtractionPrompts.paraphrased(&rng), stream: rng.chance(0.6), ip: ip, client: p.client)
        }
    }

    /// A templated, reasoning-hungry extraction request.
    func extraction(_ p: AccountProfile, ts: Timestamp, ip: String, client: ClientStack, rng: inout SeededRandom) -> Draft {
        let target = ExtractionPrompts.target(&rng)
        let model: String
        if let m = scenario.newModel, p.campaign >= 0, let switchAt = campaigns[p.campaign].switchSecond,
            ts.seconds >= switchAt, rng.chance(0.5)
        {
            model = m.name
        } else if let m = scenario.newModel, p.campaign < 0, localDayOK(p, ts: ts), rng.chance(0.5) {
            model = m.name
        } else {
            model = rng.chance(0.55) ? "claude-sonnet-4-5" : "claude-opus-4-1"
        }
        let maxTokens = rng.pick([16000, 20000, 32000])
        return Draft(
            model: model, endpoint: "/v1/messages", input: Int(rng.logNormal(median: 650, sigma: 0.4)),
            output: Int(rng.logNormal(median: 6_500, sigma: 0.45)), thinking: rng.chance(0.92), maxTokens: maxTokens,
            tools: target == .agentic ? p.tools : 0,
            system: rng.chance(0.6) ? rng.pick(SystemPrompts.extractionSystems) : nil,
            prompt: ExtractionPrompts.templated(target, &rng), stream: false, ip: ip, client: client)
    }

    private func localDayOK(_ p: AccountProfile, ts: Timestamp) -> Bool {
        ts.day >= p.adoptsNewModel
    }
}
