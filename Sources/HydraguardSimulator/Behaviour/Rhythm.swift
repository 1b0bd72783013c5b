/// When people and machines send requests: hour-of-day profiles and session shapes.
enum Rhythm {
    /// Leisure use: evenings peak, nights quiet.
    static let leisure: [Double] = [
        1, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3, 3.2, 3.2, 3, 3, 3, 3, 3.2, 3.5, 4, 4.5, 4.5, 4, 3, 2,
    ]
    /// Office hours with a lunch dip.
    static let work: [Double] = [
        0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1.2, 3.5, 5, 5, 4.5, 3, 4.5, 5, 5, 4.5, 3.5, 2, 1.2, 1, 0.8, 0.4, 0.1,
    ]

    static func isWeekend(_ day: Int) -> Bool { ((day % 7) + 7 + 3) % 7 >= 5 }
    static func weekday(_ day: Int) -> Int { ((day % 7) + 7 + 3) % 7 }

    /// `total` requests split over `sessions` bursts starting at hours drawn from `profile`; seconds from
    /// local midnight, not sorted.
    static func sessions(
        total: Int, sessions: Int, profile: [Double], gapMean: Double, minGap: Double, rng: inout SeededRandom,
        into times: inout [Double]
    ) {
        guard total > 0 else { return }
        let count = max(1, min(sessions, total))
        var left = total
        for s in 0..<count {
            let n = s == count - 1 ? left : max(1, Int((Double(left) / Double(count - s)) * rng.double(in: 0.5...1.5)))
            let size = min(n, left)
            left -= size
            var t = Double(rng.weighted(profile)) * 3600 + rng.double(in: 0...3599)
            for _ in 0..<size {
                times.append(t)
                t += minGap + rng.exponential(mean: gapMean)
            }
            if left <= 0 { break }
        }
    }

    /// `n` requests spread evenly over the day with jitter inside each slot (a scheduler's rhythm).
    static func evenly(_ n: Int, rng: inout SeededRandom, into times: inout [Double]) {
        guard n > 0 else { return }
        let slot = 86_400 / Double(n)
        for k in 0..<n { times.append((Double(k) + rng.double(in: 0.05...0.95)) * slot) }
    }

    /// `n` requests at independent hours drawn from `profile`.
    static func scattered(_ n: Int, profile: [Double], shift: Int = 0, rng: inout SeededRandom, into times: inout [Double]) {
        for _ in 0..<n {
            let hour = (rng.weighted(profile) + shift + 24) % 24
            times.append(Double(hour) * 3600 + rng.double(in: 0...3599.999))
        }
    }
}
