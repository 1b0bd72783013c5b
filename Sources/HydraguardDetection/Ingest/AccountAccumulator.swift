public import HydraguardLog

/// Everything the audit keeps of one account while the events stream past: counts, histograms,
/// small sets, and a bounded sample of prompt sketches. Two accumulators of the same account (from
/// two shards of the logs) merge into one, so an audit can be split and joined.
public struct AccountAccumulator: Sendable {
    public var requests = 0
    public var refused = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var first = Timestamp(microseconds: .max)
    public var last = Timestamp(microseconds: .min)
    /// Requests per UTC hour of day.
    public var hours = [Int32](repeating: 0, count: 24)
    /// Requests per active day (days since 1970).
    public var days: [Int32: Int32] = [:]
    /// Distinct addresses (hashed) and the first day each was seen.
    public var addressFirstDay: [UInt64: Int32] = [:]
    /// Distinct /24 (IPv4) or /48 (IPv6) networks.
    public var networks: Set<UInt64> = []
    /// Addresses (hashed) in anonymiser or mobile networks, which many unrelated clients share.
    public var sharedByDesign: Set<UInt64> = []
    public var countries: [UInt16: Int32] = [:]
    public var asns: Set<UInt32> = []
    /// Requests per address kind (indexed by `AddressKind.rawValue`).
    public var kinds = [Int32](repeating: 0, count: AddressKind.allCases.count)
    /// Requests from countries the configuration restricts.
    public var restrictedRequests = 0
    /// Per API key: first and last use.
    public var keys: [String: KeyUse] = [:]
    /// Per client stack (hash of user agent + TLS fingerprint): requests.
    public var stacks: [UInt64: Int32] = [:]
    /// A readable name for each client stack.
    public var stackNames: [UInt64: String] = [:]
    /// Per model: first and last use, requests.
    public var models: [String: ModelUse] = [:]
    public var thinkingRequests = 0
    public var maxTokensSum = 0
    public var maxTokensCount = 0
    public var toolRequests = 0
    public var toolsSum = 0
    /// Gaps between consecutive requests (seconds), Welford's running mean and variance.
    public var gapCount = 0
    public var gapMean = 0.0
    public var gapM2 = 0.0
    public var orgID: String?
    /// The bottom-k prompts by hash of their request id: a uniform, order-independent, mergeable sample.
    public var samples: [Sample] = []

    public struct KeyUse: Sendable, Hashable {
        public var first: Timestamp
        public var last: Timestamp
        public var requests: Int
    }

    public struct ModelUse: Sendable, Hashable {
        public var first: Timestamp
        public var last: Timestamp
        public var requests: Int
    }

    public struct Sample: Sendable {
        public var rank: UInt64
        public var ts: Timestamp
        public var sketch: PromptSketch
    }

    public init() {}

    /// Adds one event. `info` is what the resolver knows of its address.
    public mutating func add(
        _ event: UsageEvent, info: AddressInfo, restricted: Bool, sampleSize: Int
    ) {
        requests += 1
        if event.status >= 400 { refused += 1 }
        inputTokens += event.inputTokens
        outputTokens += event.outputTokens
        let ts = event.ts
        if ts > last {
            if last.microseconds != .min {
                let gap = Double(ts.microseconds - last.microseconds) / 1_000_000
                gapCount += 1
                let delta = gap - gapMean
                gapMean += delta / Double(gapCount)
                gapM2 += delta * (gap - gapMean)
            }
            last = ts
        }
        if ts < first { first = ts }
        hours[ts.secondOfDay / 3600] += 1
        let day = Int32(ts.day)
        days[day, default: 0] += 1
        let address = stableHash(event.ip)
        if let seen = addressFirstDay[address] {
            if day < seen { addressFirstDay[address] = day }
        } else {
            addressFirstDay[address] = day
            networks.insert(AccountAccumulator.networkHash(event.ip))
            if info.kind.isAnonymiser || info.kind == .mobile { sharedByDesign.insert(address) }
        }
        countries[info.country, default: 0] += 1
        if info.asn != 0 { asns.insert(info.asn) }
        kinds[Int(info.kind.rawValue)] += 1
        if restricted { restrictedRequests += 1 }
        if var use = keys[event.keyID] {
            use.first = min(use.first, ts)
            use.last = max(use.last, ts)
            use.requests += 1
            keys[event.keyID] = use
        } else {
            keys[event.keyID] = KeyUse(first: ts, last: ts, requests: 1)
        }
        let stack = stableHash(event.userAgent ?? "-") &* 31 &+ stableHash(event.tlsFingerprint ?? "-", seed: 77)
        if let n = stacks[stack] {
            stacks[stack] = n + 1
        } else {
            stacks[stack] = 1
            stackNames[stack] = (event.userAgent ?? "-") + " | " + (event.tlsFingerprint ?? "-")
        }
        if var use = models[event.model] {
            use.first = min(use.first, ts)
            use.last = max(use.last, ts)
            use.requests += 1
            models[event.model] = use
        } else {
            models[event.model] = ModelUse(first: ts, last: ts, requests: 1)
        }
        if event.thinking == true { thinkingRequests += 1 }
        if let cap = event.maxTokens {
            maxTokensSum += cap
            maxTokensCount += 1
        }
        if let tools = event.tools, tools > 0 {
            toolRequests += 1
            toolsSum += tools
        }
        if orgID == nil { orgID = event.orgID }
        if let prompt = event.prompt, !prompt.isEmpty {
            let rank = stableHash(event.requestID, seed: 0x5eed)
            if samples.count < sampleSize || rank < samples[samples.count - 1].rank {
                insertSample(Sample(rank: rank, ts: ts, sketch: PromptSketch(prompt: prompt)), limit: sampleSize)
            }
        }
    }

    mutating func insertSample(_ sample: Sample, limit: Int) {
        var index = samples.count
        while index > 0, samples[index - 1].rank > sample.rank { index -= 1 }
        if index < samples.count, samples[index].rank == sample.rank { return }
        samples.insert(sample, at: index)
        if samples.count > limit { samples.removeLast() }
    }

    /// Folds another shard's view of the same account into this one.
    public mutating func merge(_ other: AccountAccumulator, sampleSize: Int) {
        requests += other.requests
        refused += other.refused
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        first = min(first, other.first)
        last = max(last, other.last)
        for h in 0..<24 { hours[h] += other.hours[h] }
        days.merge(other.days, uniquingKeysWith: +)
        addressFirstDay.merge(other.addressFirstDay, uniquingKeysWith: min)
        networks.formUnion(other.networks)
        sharedByDesign.formUnion(other.sharedByDesign)
        countries.merge(other.countries, uniquingKeysWith: +)
        asns.formUnion(other.asns)
        for k in kinds.indices { kinds[k] += other.kinds[k] }
        restrictedRequests += other.restrictedRequests
        keys.merge(other.keys) {
            KeyUse(first: min($0.first, $1.first), last: max($0.last, $1.last), requests: $0.requests + $1.requests)
        }
        stacks.merge(other.stacks, uniquingKeysWith: +)
        stackNames.merge(other.stackNames) { a, _ in a }
        models.merge(other.models) {
            ModelUse(first: min($0.first, $1.first), last: max($0.last, $1.last), requests: $0.requests + $1.requests)
        }
        thinkingRequests += other.thinkingRequests
        maxTokensSum += other.maxTokensSum
        maxTokensCount += other.maxTokensCount
        toolRequests += other.toolRequests
        toolsSum += other.toolsSum
        if orgID == nil { orgID = other.orgID }
        // Gap statistics: Chan et al.'s parallel combination (the gap across the shard boundary is lost).
        if other.gapCount > 0 {
            let n = Double(gapCount + other.gapCount)
            let delta = other.gapMean - gapMean
            gapM2 += other.gapM2 + delta * delta * Double(gapCount) * Double(other.gapCount) / n
            gapMean += delta * Double(other.gapCount) / n
            gapCount += other.gapCount
        }
        for sample in other.samples { insertSample(sample, limit: sampleSize) }
    }

    /// A hash of the address's network: /24 for IPv4, /48 for IPv6.
    static func networkHash(_ ip: String) -> UInt64 {
        var ip = ip
        return ip.withUTF8 { bytes in
            if bytes.contains(0x3A) {
                // IPv6: the first three groups.
                var colons = 0
                var end = bytes.count
                for (i, b) in bytes.enumerated() where b == 0x3A {
                    colons += 1
                    if colons == 3 {
                        end = i
                        break
                    }
                }
                return stableHash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[0..<end])), seed: 6)
            }
            var end = bytes.count
            if let lastDot = bytes.lastIndex(of: 0x2E) { end = lastDot }
            return stableHash(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[0..<end])), seed: 4)
        }
    }
}
