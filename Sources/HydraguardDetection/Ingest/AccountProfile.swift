public import HydraguardLog

/// An account's behaviour in numbers, derived from its ``AccountAccumulator`` once the logs are read.
public struct AccountProfile: Sendable {
    public var accountID: String
    public var orgID: String?
    public var record: AccountRecord?
    public var requests: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var first: Timestamp
    public var last: Timestamp
    public var activeDays: Int
    public var requestsPerActiveDay: Double
    /// The largest share of requests inside any 12 consecutive hours of the (UTC) day.
    public var busiest12HourShare: Double
    /// Hours of the day (of 24) with at least 2% of the account's requests.
    public var activeHours: Int
    /// Coefficient of variation of the gaps between requests (bursty humans are well above 1).
    public var gapVariation: Double
    public var distinctAddresses: Int
    public var distinctNetworks: Int
    public var addressesPerActiveDay: Double
    /// Share of active days (after the first) on which a never-seen address appeared.
    public var newAddressDayShare: Double
    public var countries: [String: Int]
    public var signupCountryMismatchShare: Double
    public var kindShares: [AddressKind: Double]
    public var restrictedShare: Double
    public var keyCount: Int
    public var keysPerWeek: Double
    public var dominantStack: String
    public var dominantStackShare: Double
    public var stackCount: Int
    public var models: [String: AccountAccumulator.ModelUse]
    public var thinkingShare: Double
    public var meanMaxTokens: Double
    public var outputInputRatio: Double
    public var toolShare: Double
    public var meanTools: Double
    public var sampledPrompts: Int
    public var targetedShare: Double
    public var elicitationShare: Double
    public var capabilityCounts: [String: Int]
    public var samples: [AccountAccumulator.Sample]
    /// Up to 256 of its addresses (hashed; the lowest hashes, so two accounts' samples overlap where their
    /// addresses do), leaving out anonymiser and mobile addresses.
    public var addressSample: [UInt64]
    /// Requests per UTC hour of day.
    public var hours: [Int32]
    /// Requests per active day (days since 1970).
    public var days: [Int32: Int32]

    public var owner: String { orgID ?? record?.orgID ?? accountID }
    public var spanDays: Double { Double(last.microseconds - first.microseconds) / 86_400_000_000 }

    public init(id: String, accumulator a: AccountAccumulator, record: AccountRecord?) {
        accountID = id
        self.record = record
        orgID = record?.orgID ?? a.orgID
        requests = a.requests
        inputTokens = a.inputTokens
        outputTokens = a.outputTokens
        first = a.first
        last = a.last
        activeDays = a.days.count
        requestsPerActiveDay = Double(a.requests) / Double(max(1, a.days.count))
        let total = Double(max(1, a.requests))
        var best = 0
        for start in 0..<24 {
            var sum = 0
            for k in 0..<12 { sum += Int(a.hours[(start + k) % 24]) }
            best = max(best, sum)
        }
        busiest12HourShare = Double(best) / total
        activeHours = a.hours.filter { Double($0) / total >= 0.02 }.count
        if a.gapCount > 1, a.gapMean > 0 {
            gapVariation = (a.gapM2 / Double(a.gapCount - 1)).squareRoot() / a.gapMean
        } else {
            gapVariation = 0
        }
        distinctAddresses = a.addressFirstDay.count
        distinctNetworks = a.networks.count
        addressesPerActiveDay = Double(a.addressFirstDay.count) / Double(max(1, a.days.count))
        let newDays = Set(a.addressFirstDay.values)
        let firstDay = a.days.keys.min() ?? 0
        let laterDays = max(0, a.days.count - 1)
        newAddressDayShare = laterDays == 0 ? 0 : Double(newDays.filter { $0 != firstDay }.count) / Double(laterDays)
        var countries: [String: Int] = [:]
        for (packed, count) in a.countries {
            if let code = AddressInfo.unpack(packed) { countries[code, default: 0] += Int(count) }
        }
        self.countries = countries
        if let signup = record?.signupCountry?.uppercased(), !countries.isEmpty {
            let known = countries.values.reduce(0, +)
            signupCountryMismatchShare = Double(known - (countries[signup] ?? 0)) / Double(max(1, known))
        } else {
            signupCountryMismatchShare = 0
        }
        var shares: [AddressKind: Double] = [:]
        for kind in AddressKind.allCases where a.kinds[Int(kind.rawValue)] > 0 {
            shares[kind] = Double(a.kinds[Int(kind.rawValue)]) / total
        }
        kindShares = shares
        restrictedShare = Double(a.restrictedRequests) / total
        keyCount = a.keys.count
        let spanWeeks = max(1, Double(a.last.microseconds - a.first.microseconds) / (7 * 86_400_000_000))
        keysPerWeek = Double(a.keys.count) / spanWeeks
        let top = a.stacks.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }
        dominantStack = top.flatMap { a.stackNames[$0.key] } ?? "-"
        dominantStackShare = Double(top?.value ?? 0) / total
        stackCount = a.stacks.count
        models = a.models
        thinkingShare = Double(a.thinkingRequests) / total
        meanMaxTokens = a.maxTokensCount > 0 ? Double(a.maxTokensSum) / Double(a.maxTokensCount) : 0
        outputInputRatio = Double(a.outputTokens) / Double(max(1, a.inputTokens))
        toolShare = Double(a.toolRequests) / total
        meanTools = a.toolRequests > 0 ? Double(a.toolsSum) / Double(a.toolRequests) : 0
        samples = a.samples
        sampledPrompts = a.samples.count
        let sampled = Double(max(1, a.samples.count))
        targetedShare = Double(a.samples.filter { !$0.sketch.capabilities.isDisjoint(with: .targeted) }.count) / sampled
        elicitationShare = Double(a.samples.filter { $0.sketch.elicitsReasoning }.count) / sampled
        var caps: [String: Int] = [:]
        for sample in a.samples {
            for name in sample.sketch.capabilities.names { caps[name, default: 0] += 1 }
        }
        capabilityCounts = caps
        hours = a.hours
        var addresses = a.addressFirstDay.keys.filter { !a.sharedByDesign.contains($0) }
        if addresses.count > 256 {
            addresses.sort()
            addresses.removeSubrange(256...)
        }
        addressSample = addresses
        days = a.days
    }

    public func share(of kinds: (AddressKind) -> Bool) -> Double {
        kindShares.filter { kinds($0.key) }.values.reduce(0, +)
    }

    public var topCapabilities: [String] {
        capabilityCounts.filter { Double($0.value) >= 0.25 * Double(max(1, sampledPrompts)) }
            .sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key)
    }
}
