public import HydraguardLog

extension Simulation {
    /// Every request of the UTC day `day` (0 = the window's first), in arrival order.
    public func events(day: Int) -> [UsageEvent] {
        var events: [UsageEvent] = []
        var times: [Double] = []
        for p in profiles { appendEvents(p, utcDay: startDay + day, times: &times, into: &events) }
        events.sort { $0.ts != $1.ts ? $0.ts < $1.ts : $0.requestID < $1.requestID }
        return events
    }

    /// Appends the requests of account `p` that arrive in the UTC day `utcDay` (epoch days).
    func appendEvents(_ p: AccountProfile, utcDay: Int, times: inout [Double], into events: inout [UsageEvent]) {
        let dayStart = Int64(utcDay) * 86_400
        let dayEnd = dayStart + 86_400
        let created = p.record.createdAt.seconds
        guard created < dayEnd, utcDay >= startDay, utcDay < startDay + days else { return }
        // A local day can spill into the UTC days before and after it.
        for localDay in (utcDay - 1)...(utcDay + 1) where localDay >= p.firstDay - 1 {
            let localStart = Int64(localDay) * 86_400 - Int64(p.utcOffsetSeconds)
            if localStart >= dayEnd || localStart + 2 * 86_400 <= dayStart { continue }
            var rng = SeededRandom(seed: seed, UInt64(p.index), UInt64(bitPattern: Int64(localDay)))
            times.removeAll(keepingCapacity: true)
            schedule(p, localDay: localDay, rng: &rng, into: &times)
            for (i, t) in times.enumerated() {
                let micros = localStart * 1_000_000 + Int64(t * 1_000) * 1_000
                let second = micros / 1_000_000
                guard second >= dayStart, second < dayEnd, second > created else { continue }
                var erng = SeededRandom(seed: seed, UInt64(p.index), UInt64(bitPattern: Int64(localDay)), UInt64(i))
                events.append(event(p, localDay: localDay, ts: Timestamp(microseconds: micros), rng: &erng))
            }
        }
    }
}
