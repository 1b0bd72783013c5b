extension Simulation {
    /// Seconds after the account's local midnight of `localDay` at which it sends requests (unsorted;
    /// may run past midnight).
    func schedule(_ p: AccountProfile, localDay: Int, rng: inout SeededRandom, into times: inout [Double]) {
        let weekend = Rhythm.isWeekend(localDay)
        switch p.archetype {
        case .casualChat, .vpnUser, .restrictedCountry:
            guard rng.chance(min(1, p.activeChance * (weekend ? 1.15 : 1))) else { return }
            let n = 1 + rng.poisson(mean: p.rate - 1)
            Rhythm.sessions(
                total: n, sessions: 1 + rng.poisson(mean: 0.6), profile: Rhythm.leisure, gapMean: 75, minGap: 8,
                rng: &rng, into: &times)
        case .codingAgent:
            guard rng.chance(weekend ? 0.2 : p.activeChance) else { return }
            let n = Int(p.rate * (weekend ? 0.3 : 1) * rng.logNormal(median: 1, sigma: 0.3))
            Rhythm.sessions(
                total: n, sessions: rng.int(in: 3...6), profile: Rhythm.work, gapMean: 10, minGap: 2, rng: &rng,
                into: &times)
        case .classCohort:
            let g = groups[p.group]
            if g.meetingDays.contains(Rhythm.weekday(localDay)) {
                guard rng.chance(0.9) else { return }
                var t = Double(g.meetingHour) * 3600 + rng.double(in: 300...4_800)
                for _ in 0..<(1 + rng.poisson(mean: p.rate)) {
                    times.append(t)
                    t += 15 + rng.exponential(mean: 70)
                }
            } else if rng.chance(p.activeChance * 0.4) {
                Rhythm.sessions(
                    total: 1 + rng.poisson(mean: p.rate * 0.7), sessions: 1, profile: Rhythm.leisure, gapMean: 90,
                    minGap: 15, rng: &rng, into: &times)
            }
        case .enterpriseBatch:
            let scale = weekend ? 0.5 : 1
            let jobs = 3
            var hourRng = SeededRandom(seed: p.salt)
            for j in 0..<jobs {
                let hour = hourRng.int(in: 0..<24)
                var t = Double(hour) * 3600 + Double(j) * 60
                for _ in 0..<Int(p.rate * 0.8 * scale / Double(jobs) * rng.double(in: 0.8...1.2)) {
                    times.append(t)
                    t += 0.3 + rng.exponential(mean: 2.5)
                }
            }
            Rhythm.scattered(Int(p.rate * 0.2 * scale), profile: [Double](repeating: 1, count: 24), rng: &rng, into: &times)
        case .researchBenchmark:
            if !weekend && rng.chance(p.activeChance) {
                var t = Double(rng.int(in: 9...17)) * 3600 + rng.double(in: 0...3599)
                for _ in 0..<Int(p.rate * rng.logNormal(median: 1, sigma: 0.4)) {
                    times.append(t)
                    t += 0.1 + rng.exponential(mean: 1.2)
                }
            }
            if !weekend { Rhythm.scattered(rng.poisson(mean: 4), profile: Rhythm.work, rng: &rng, into: &times) }
        case .startup:
            let n = Int(p.rate * (weekend ? 0.7 : 1) * rng.logNormal(median: 1, sigma: 0.2))
            Rhythm.scattered(n, profile: Rhythm.leisure, rng: &rng, into: &times)
        case .honestReseller, .resellerConduit:
            let n = Int(p.rate * (weekend ? 0.8 : 1) * rng.logNormal(median: 1, sigma: 0.15))
            // End users in three regions of the world.
            for _ in 0..<n {
                let shift = [0, -8, 7][rng.weighted([0.5, 0.3, 0.2])]
                Rhythm.scattered(1, profile: Rhythm.leisure, shift: shift, rng: &rng, into: &times)
            }
        case .naiveExtractor:
            Rhythm.evenly(Int(p.rate * rng.double(in: 0.9...1.1)), rng: &rng, into: &times)
        case .hydra:
            guard rng.chance(p.activeChance) else { return }
            let n = max(1, Int(p.rate) + rng.int(in: -2...2))
            Rhythm.evenly(n, rng: &rng, into: &times)
        case .stealth:
            guard rng.chance(p.activeChance) else { return }
            let n = max(1, Int(p.rate * rng.double(in: 0.8...1.2)))
            Rhythm.sessions(
                total: n, sessions: rng.int(in: 2...4), profile: Rhythm.leisure, gapMean: 110, minGap: 20, rng: &rng,
                into: &times)
        }
    }
}
