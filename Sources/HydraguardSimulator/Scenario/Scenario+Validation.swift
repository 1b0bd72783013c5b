extension Scenario {
    /// Checks ranges and consistency; the error names the offending key.
    public func validate(file: String = "<scenario>") throws(ScenarioError) {
        guard startDay != nil else { throw ScenarioError.badValue(file, "start", "expected a date YYYY-MM-DD, got '\(start)'") }
        guard (1...400).contains(days) else { throw ScenarioError.badValue(file, "days", "must be 1...400, got \(days)") }
        for (i, code) in restrictedCountries.enumerated() where Country.named(code) == nil {
            throw ScenarioError.badValue(file, "restricted_countries[\(i)]", "unknown country '\(code)' \(Self.knownCountries)")
        }
        if let newModel {
            guard (0..<days).contains(newModel.releaseDay) else {
                throw ScenarioError.badValue(file, "new_model.release_day", "must be 0..<days (\(days)), got \(newModel.releaseDay)")
            }
            guard !newModel.name.isEmpty else { throw ScenarioError.badValue(file, "new_model.name", "must not be empty") }
        }
        for (i, p) in populations.enumerated() {
            let key = "populations[\(i)]"
            guard !p.archetype.isCampaign else {
                throw ScenarioError.badValue(file, key + ".archetype", "'\(p.archetype.rawValue)' runs as a campaign: declare it under campaigns")
            }
            guard (0...2_000_000).contains(p.accounts) else {
                throw ScenarioError.badValue(file, key + ".accounts", "must be 0...2000000, got \(p.accounts)")
            }
            if let g = p.groups, !(1...max(1, p.accounts)).contains(g) {
                throw ScenarioError.badValue(file, key + ".groups", "must be 1...accounts (\(p.accounts)), got \(g)")
            }
            if p.archetype == .restrictedCountry, p.accounts > 0,
                !restrictedCountries.contains(where: { Country.named($0).map { !$0.isps.isEmpty } ?? false })
            {
                throw ScenarioError.badValue(file, "restricted_countries", "restricted_country accounts need at least one restricted country")
            }
        }
        var ids = Set<String>()
        for (i, c) in campaigns.enumerated() {
            let key = "campaigns[\(i)]"
            guard !c.id.isEmpty else { throw ScenarioError.badValue(file, key + ".id", "must not be empty") }
            guard ids.insert(c.id).inserted else { throw ScenarioError.badValue(file, key + ".id", "duplicate campaign id '\(c.id)'") }
            guard (1...2_000_000).contains(c.accounts) else {
                throw ScenarioError.badValue(file, key + ".accounts", "must be 1...2000000, got \(c.accounts)")
            }
            guard (1...max(1, c.accounts)).contains(c.waves) else {
                throw ScenarioError.badValue(file, key + ".waves", "must be 1...accounts, got \(c.waves)")
            }
            guard c.firstWaveDay < days, c.firstWaveDay > -365 else {
                throw ScenarioError.badValue(file, key + ".first_wave_day", "must be -364..<days, got \(c.firstWaveDay)")
            }
            guard c.waveSpacingDays >= 0 else {
                throw ScenarioError.badValue(file, key + ".wave_spacing_days", "must not be negative")
            }
            try Self.checkPair(c.requestsPerDay, 1...100_000, file, key + ".requests_per_day")
            try Self.checkPair(c.keyRotationDays, 1...3650, file, key + ".key_rotation_days")
            guard c.modelSwitchHours >= 0 else {
                throw ScenarioError.badValue(file, key + ".model_switch_hours", "must not be negative")
            }
            guard c.paymentCards >= 1 else { throw ScenarioError.badValue(file, key + ".payment_cards", "must be at least 1") }
            guard (0...1).contains(c.coverTraffic) else {
                throw ScenarioError.badValue(file, key + ".cover_traffic", "must be a share in 0...1, got \(c.coverTraffic)")
            }
            if let countries = c.countries {
                guard !countries.isEmpty else { throw ScenarioError.badValue(file, key + ".countries", "must not be empty") }
                for (j, code) in countries.enumerated() where Country.named(code) == nil {
                    throw ScenarioError.badValue(file, key + ".countries[\(j)]", "unknown country '\(code)' \(Self.knownCountries)")
                }
            }
        }
    }

    private static func checkPair(_ pair: [Int], _ range: ClosedRange<Int>, _ file: String, _ key: String) throws(ScenarioError) {
        guard pair.count == 2, range.contains(pair[0]), range.contains(pair[1]), pair[0] <= pair[1] else {
            throw ScenarioError.badValue(
                file, key, "expected [min, max] with \(range.lowerBound) <= min <= max <= \(range.upperBound), got \(pair)")
        }
    }

    static var knownCountries: String { "(known: \(Country.all.map(\.code).joined(separator: ", ")))" }
}
