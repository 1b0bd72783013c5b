import HydraguardLog

extension Simulation {
    mutating func build() {
        restricted = scenario.restrictedCountries.filter { Country.named($0).map { !$0.isps.isEmpty } ?? false }
        let allowed = Country.all.filter { !scenario.restrictedCountries.contains($0.code) && $0.weight > 0 }
        allowedCountries = allowed.map(\.code)
        allowedWeights = allowed.map(\.weight)
        if let model = scenario.newModel {
            releaseSecond = Int64(startDay + model.releaseDay) * 86_400 + 17 * 3600
        }
        var ids = Set<String>()
        var rng = SeededRandom(seed: seed, 0x4255_494C_44)
        func uniqueID() -> String {
            while true {
                let id = Identity.accountID(&rng)
                if ids.insert(id).inserted { return id }
            }
        }
        for (p, population) in scenario.populations.enumerated() {
            let groupCount = population.groups ?? defaultGroups(population.archetype, population.accounts)
            let firstGroup = groups.count
            for g in 0..<groupCount {
                var grng = SeededRandom(seed: seed, 0x4752_4F55_50, UInt64(p), UInt64(g))
                groups.append(makeGroup(population.archetype, number: g, &grng))
            }
            for a in 0..<population.accounts {
                var arng = SeededRandom(seed: seed, 0x4143_4354, UInt64(p), UInt64(a))
                let group = groupCount > 0 ? firstGroup + a % groupCount : -1
                let profile = makeHonestOrLone(
                    population.archetype, index: profiles.count, id: uniqueID(), group: group, &arng)
                profiles.append(profile)
            }
        }
        for (c, campaign) in scenario.campaigns.enumerated() {
            var crng = SeededRandom(seed: seed, 0x4341_4D50, UInt64(c))
            let plan = makeCampaign(campaign, &crng)
            campaigns.append(plan)
            for a in 0..<campaign.accounts {
                var arng = SeededRandom(seed: seed, 0x4341_4D50_4143, UInt64(c), UInt64(a))
                profiles.append(makeCampaignAccount(plan, campaign: c, number: a, index: profiles.count, id: uniqueID(), &arng))
            }
        }
    }

    func defaultGroups(_ archetype: Archetype, _ accounts: Int) -> Int {
        guard accounts > 0 else { return 0 }
        switch archetype {
        case .codingAgent: return min(3, accounts)
        case .enterpriseBatch: return max(1, accounts / 3)
        case .classCohort: return max(1, accounts / 80)
        case .researchBenchmark: return max(1, accounts / 4)
        case .startup: return max(1, accounts / 2)
        default: return 0
        }
    }

    // MARK: Shared pieces

    func pickCountry(_ rng: inout SeededRandom) -> String {
        allowedCountries[rng.weighted(allowedWeights)]
    }

    func offsetSeconds(_ country: String, _ rng: inout SeededRandom) -> Int {
        Int(((Country.named(country)?.utcOffsets).map { rng.pick($0) } ?? 0) * 3600)
    }

    /// A sign-up date spread over the months before the window (a few inside it).
    func honestCreatedAt(_ rng: inout SeededRandom) -> Int64 {
        let day: Int
        if rng.chance(0.06) {
            day = startDay + rng.int(in: 0..<days)
        } else {
            day = startDay - 1 - min(720, Int(rng.exponential(mean: 160)))
        }
        return Int64(day) * 86_400 + Int64(rng.int(in: 0..<86_400))
    }

    func adoption(_ rng: inout SeededRandom, meanDays: Double = 12, never: Double = 0.35) -> Int {
        guard let release = releaseSecond, !rng.chance(never) else { return Int.max }
        return Int(release / 86_400) + Int(rng.exponential(mean: meanDays))
    }

    func homeAddresses(_ country: String, count: Int, _ rng: inout SeededRandom) -> [String] {
        (0..<count).map { _ in space.randomAddress(.residential, in: country, ipv6: rng.chance(0.15), rng: &rng) }
    }

    // MARK: Groups

    func makeGroup(_ archetype: Archetype, number: Int, _ rng: inout SeededRandom) -> GroupPlan {
        let country = pickCountry(&rng)
        var plan = GroupPlan(
            archetype: archetype, number: number, orgID: nil, addresses: [], client: Clients.honest(rng: &rng, programmatic: true),
            country: country, utcOffsetSeconds: offsetSeconds(country, &rng), emailDomain: Identity.companyDomain(&rng),
            createdDay: startDay - rng.int(in: 30...500), meetingDays: [], meetingHour: 0, system: nil)
        switch archetype {
        case .codingAgent:
            plan.client = Clients.codingTool(number, rng: &rng)
            plan.system = SystemPrompts.codingTool(number)
        case .enterpriseBatch:
            plan.orgID = Identity.orgID(&rng)
            plan.addresses = (0..<rng.int(in: 2...6)).map { _ in space.randomAddress(.datacenter, in: rng.chance(0.6) ? "US" : country, rng: &rng) }
            plan.system = rng.pick(SystemPrompts.batchSystems)
        case .researchBenchmark:
            plan.orgID = Identity.orgID(&rng)
            plan.addresses = (0..<rng.int(in: 1...3)).map { _ in space.randomAddress(.datacenter, in: country, rng: &rng) }
        case .startup:
            plan.orgID = rng.chance(0.5) ? Identity.orgID(&rng) : nil
            plan.addresses = (0..<rng.int(in: 1...3)).map { _ in space.randomAddress(.datacenter, in: country, rng: &rng) }
            plan.system = WorkPrompts.startupSystem(rng.int(in: 0..<100))
        case .classCohort:
            let uni = space.university(rng.int(in: 0..<1000))
            plan.country = uni.country
            plan.utcOffsetSeconds = offsetSeconds(uni.country, &rng)
            plan.addresses = (0..<rng.int(in: 2...4)).map { _ in uni.address(rng.next()) }
            plan.emailDomain = Self.universityDomain(uni.organization)
            // The class signs up in one week, shortly before or early in the window.
            plan.createdDay = startDay + rng.int(in: -10...min(3, days - 1))
            let first = rng.int(in: 0...2)
            plan.meetingDays = [first, first + 2]
            plan.meetingHour = rng.int(in: 9...15)
            plan.client = Clients.stack(.anthropicPython, rng: &rng)
        default:
            break
        }
        return plan
    }

    static func universityDomain(_ name: String) -> String {
        let words = name.lowercased().split(separator: " ").filter { !["of", "de", "van", "university", "universite", "universiteit", "universidade", "institute", "national"].contains($0) }
        let stem = words.prefix(2).joined(separator: "-").filter { $0.isLetter || $0 == "-" }
        return stem + ".edu"
    }

    // MARK: Honest accounts and lone attackers

    func makeHonestOrLone(
        _ archetype: Archetype, index: Int, id: String, group: Int, _ rng: inout SeededRandom
    ) -> AccountProfile {
        let country = pickCountry(&rng)
        let created = honestCreatedAt(&rng)
        var tier = Tier.allCases[Identity.selfServeTier(&rng)]
        var domain: String? = Identity.consumerDomain(&rng)
        var payment: String? = nil
        var addresses = homeAddresses(country, count: rng.int(in: 1...2), &rng)
        var client = Clients.honest(rng: &rng)
        var profile = AccountProfile(
            index: index, archetype: archetype, campaign: -1, group: group,
            record: AccountRecord(accountID: id, createdAt: Timestamp(seconds: created), tier: tier),
            firstDay: Int(created / 86_400), country: country, utcOffsetSeconds: offsetSeconds(country, &rng),
            addresses: addresses, client: client, rate: 1, activeChance: 0.5,
            keyRotationDays: rng.int(in: 30...400), keyPhase: rng.int(in: 0..<400),
            adoptsNewModel: adoption(&rng), tools: 0, salt: rng.next())
        let g = group >= 0 ? groups[group] : nil
        switch archetype {
        case .casualChat:
            profile.activeChance = rng.double(in: 0.12...0.7)
            profile.rate = rng.logNormal(median: 6, sigma: 0.5)
            if rng.chance(0.5) { addresses.append(space.randomAddress(.mobile, in: country, ipv6: rng.chance(0.3), rng: &rng)) }
        case .vpnUser:
            profile.activeChance = rng.double(in: 0.25...0.8)
            profile.rate = rng.logNormal(median: 8, sigma: 0.5)
            // The VPN brand's exits in a few favourite countries stand in for home.
            let brand = rng.int(in: 0..<AddressSpace.vpns.count)
            let exits = AddressSpace.vpns[brand].3
            addresses = (0..<rng.int(in: 3...6)).map { _ in
                let ranges = space.ranges(.vpn, in: rng.pick(exits)).filter { space.ranges[$0].provider == AddressSpace.vpns[brand].2 }
                return ranges.isEmpty ? space.randomAddress(.vpn, in: "*", rng: &rng) : space.ranges[rng.pick(ranges)].address(rng.next() % 64)
            }
        case .codingAgent:
            let g = g!
            client = g.client
            profile.activeChance = rng.double(in: 0.8...0.97)
            profile.rate = min(2_500, max(150, rng.logNormal(median: 520, sigma: 0.55)))
            profile.tools = rng.int(in: 10...22) + rng.int(in: 0...8)
            tier = rng.chance(0.6) ? .card : .id
            if rng.chance(0.35) { domain = g.emailDomain }
            addresses.append(space.randomAddress(.business, in: country, rng: &rng))
            profile.adoptsNewModel = adoption(&rng, meanDays: 6, never: 0.2)
        case .enterpriseBatch:
            let g = g!
            client = g.client
            tier = .enterprise
            domain = g.emailDomain
            profile.record.orgID = g.orgID
            addresses = g.addresses
            profile.country = g.country
            profile.utcOffsetSeconds = g.utcOffsetSeconds
            profile.rate = rng.logNormal(median: 500, sigma: 0.4)
            profile.activeChance = 0.97
            profile.adoptsNewModel = adoption(&rng, meanDays: 20, never: 0.7)
        case .researchBenchmark:
            let g = g!
            client = g.client
            tier = rng.chance(0.5) ? .enterprise : .id
            domain = g.emailDomain
            profile.record.orgID = g.orgID
            addresses = g.addresses
            profile.country = g.country
            profile.utcOffsetSeconds = g.utcOffsetSeconds
            profile.rate = rng.logNormal(median: 1_200, sigma: 0.5)
            profile.activeChance = rng.double(in: 0.2...0.45)
            profile.adoptsNewModel = adoption(&rng, meanDays: 1, never: 0.0)
        case .startup:
            let g = g!
            client = g.client
            tier = rng.chance(0.7) ? .card : .id
            domain = g.emailDomain
            profile.record.orgID = g.orgID
            addresses = g.addresses
            profile.country = g.country
            profile.utcOffsetSeconds = g.utcOffsetSeconds
            profile.rate = rng.logNormal(median: 320, sigma: 0.6)
            profile.activeChance = 0.95
        case .classCohort:
            let g = g!
            tier = rng.chance(0.5) ? .free : .email
            domain = rng.chance(0.8) ? g.emailDomain : Identity.consumerDomain(&rng)
            client = rng.chance(0.7) ? Clients.stack(.anthropicPython, rng: &rng) : Clients.honest(rng: &rng)
            profile.country = g.country
            profile.utcOffsetSeconds = g.utcOffsetSeconds
            addresses = [rng.pick(g.addresses)] + homeAddresses(g.country, count: 1, &rng)
            let createdSecond = Int64(g.createdDay + rng.int(in: 0...6)) * 86_400 + Int64(rng.int(in: 8 * 3600..<23 * 3600))
                - Int64(g.utcOffsetSeconds)
            profile.record.createdAt = Timestamp(seconds: createdSecond)
            profile.firstDay = Int(createdSecond / 86_400)
            profile.rate = rng.logNormal(median: 8, sigma: 0.4)
            profile.activeChance = rng.double(in: 0.3...0.8)
        case .honestReseller, .resellerConduit:
            tier = .enterprise
            domain = Identity.companyDomain(&rng)
            profile.record.orgID = Identity.orgID(&rng)
            client = Clients.stack(rng.chance(0.5) ? .openAIPython : .anthropicPython, rng: &rng)
            addresses = (0..<rng.int(in: 3...8)).map { _ in space.randomAddress(.datacenter, in: rng.chance(0.5) ? "US" : country, rng: &rng) }
            profile.rate = rng.logNormal(median: 2_200, sigma: 0.3)
            profile.activeChance = 1
        case .naiveExtractor:
            tier = .card
            payment = Identity.paymentFingerprint(&rng)
            client = Clients.stack(.requests, rng: &rng)
            addresses = (0..<rng.int(in: 1...2)).map { _ in space.randomAddress(.datacenter, in: "*", rng: &rng) }
            let created = Int64(startDay + rng.int(in: -5...min(3, days - 1))) * 86_400 + Int64(rng.int(in: 0..<86_400))
            profile.record.createdAt = Timestamp(seconds: created)
            profile.firstDay = Int(created / 86_400)
            profile.rate = rng.logNormal(median: 2_500, sigma: 0.3)
            profile.activeChance = 1
            profile.adoptsNewModel = adoption(&rng, meanDays: 1, never: 0.0)
        case .restrictedCountry:
            let home = rng.pick(restricted.isEmpty ? ["RU"] : restricted)
            profile.country = home
            profile.utcOffsetSeconds = offsetSeconds(home, &rng)
            addresses = homeAddresses(home, count: rng.int(in: 1...2), &rng)
            profile.activeChance = rng.double(in: 0.3...0.8)
            profile.rate = rng.logNormal(median: 12, sigma: 0.6)
        case .hydra, .stealth:
            break
        }
        if tier >= .card && payment == nil { payment = Identity.paymentFingerprint(&rng) }
        profile.record.tier = tier
        profile.record.emailDomain = domain
        profile.record.paymentFingerprint = payment
        profile.addresses = addresses
        profile.client = client
        if archetype == .restrictedCountry && rng.chance(0.5) {
            // Signed up through a VPN to pass the geofence, then connected directly.
            let exit = space.randomAddress(.vpn, in: "*", rng: &rng)
            profile.record.signupIP = exit
            profile.record.signupCountry = space.country(of: exit) ?? "US"
        } else {
            profile.record.signupIP = addresses[0]
            profile.record.signupCountry = archetype == .enterpriseBatch || archetype == .startup
                || archetype == .researchBenchmark || archetype == .honestReseller || archetype == .resellerConduit
                || archetype == .naiveExtractor
                ? (space.country(of: addresses[0]) ?? profile.country) : profile.country
        }
        return profile
    }

    // MARK: Campaigns

    func makeCampaign(_ campaign: Scenario.Campaign, _ rng: inout SeededRandom) -> CampaignPlan {
        var countries = campaign.countries ?? allowedCountries
        countries.removeAll { restricted.contains($0) && campaign.countries == nil }
        // One shared client stack, at a popular SDK version.
        let client = Clients.stack(rng.chance(0.7) ? .anthropicPython : .openAIPython, rng: &rng)
        let cards = (0..<campaign.paymentCards).map { _ in Identity.paymentFingerprint(&rng) }
        var switchSecond: Int64? = nil
        if let release = releaseSecond {
            switchSecond = release + Int64(campaign.modelSwitchHours * 3600)
        }
        return CampaignPlan(scenario: campaign, client: client, cards: cards, countries: countries, switchSecond: switchSecond)
    }

    func makeCampaignAccount(
        _ plan: CampaignPlan, campaign: Int, number: Int, index: Int, id: String, _ rng: inout SeededRandom
    ) -> AccountProfile {
        let c = plan.scenario
        let rpd = Double(rng.int(in: c.requestsPerDay[0]...c.requestsPerDay[1]))
        switch c.style {
        case .hydra:
            let wave = number * c.waves / c.accounts
            let waveDay = startDay + c.firstWaveDay + wave * c.waveSpacingDays
            let created = Int64(waveDay) * 86_400 + Int64(rng.exponential(mean: 6 * 3600).truncatingRemainder(dividingBy: 86_400 * 2))
            let country = rng.pick(plan.countries)
            let signup = space.randomAddress(.residential, in: country, rng: &rng)
            let tierIndex = rng.weighted([0.3, 0.45, 0.25])
            let tier = Tier.allCases[tierIndex]
            let record = AccountRecord(
                accountID: id, createdAt: Timestamp(seconds: created), tier: tier,
                emailDomain: Identity.consumerDomain(&rng),
                paymentFingerprint: tier == .card ? rng.pick(plan.cards) : nil,
                signupIP: signup, signupCountry: country)
            return AccountProfile(
                index: index, archetype: .hydra, campaign: campaign, group: -1, record: record,
                firstDay: Int(created / 86_400), country: country, utcOffsetSeconds: 0, addresses: [signup],
                client: plan.client, rate: rpd, activeChance: 0.97,
                keyRotationDays: rng.int(in: c.keyRotationDays[0]...c.keyRotationDays[1]), keyPhase: rng.int(in: 0..<30),
                adoptsNewModel: Int.max, tools: rng.int(in: 6...18), salt: rng.next())
        case .stealth:
            // Spread over months like honest sign-ups, each account one plausible person.
            let country = rng.pick(plan.countries)
            let created = Int64(startDay - 1 - rng.int(in: 10...240)) * 86_400 + Int64(rng.int(in: 0..<86_400))
            let tier = Tier.allCases[Identity.selfServeTier(&rng, card: 0.4)]
            let home = space.randomAddress(.residential, in: country, rng: &rng)
            let record = AccountRecord(
                accountID: id, createdAt: Timestamp(seconds: created), tier: tier,
                emailDomain: Identity.consumerDomain(&rng),
                paymentFingerprint: tier >= .card ? Identity.paymentFingerprint(&rng) : nil,
                signupIP: home, signupCountry: country)
            return AccountProfile(
                index: index, archetype: .stealth, campaign: campaign, group: -1, record: record,
                firstDay: Int(created / 86_400), country: country, utcOffsetSeconds: offsetSeconds(country, &rng),
                addresses: [home], client: Clients.honest(rng: &rng), rate: rpd, activeChance: 0.85,
                keyRotationDays: rng.int(in: 20...90), keyPhase: rng.int(in: 0..<90),
                adoptsNewModel: adoption(&rng, meanDays: 3, never: 0.1), tools: 0, salt: rng.next())
        }
    }
}
