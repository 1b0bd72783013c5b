public import HydraguardLog

/// Near-duplicate prompt groups across accounts: MinHash sketches banded for locality-sensitive
/// hashing (16 bands of 4 rows), each candidate confirmed by its estimated Jaccard similarity to the
/// bucket's first prompt, and joined with union-find. Linear in the number of sampled prompts.
public struct TemplateClusters: Sendable {
    public struct Cluster: Sendable {
        public var id: Int
        /// Accounts (profile indices) and how many of their sampled prompts fall in the cluster.
        public var accounts: [Int: Int]
        /// Distinct owners (organisation, else account) among them.
        public var owners: Int
        public var prompts: Int
        public var excerpt: String
        public var first: Timestamp
        public var last: Timestamp
        public var capabilities: Capabilities
    }

    public var clusters: [Cluster]
    /// For each profile, the shared clusters it is tied to.
    public var clustersOfAccount: [[Int]]

    static let bands = 16
    static let rows = 4

    public init(profiles: [AccountProfile], similarity: Double, minAccounts: Int) {
        var sampleOwner: [Int32] = []
        var sketches: [(Int, Int)] = []  // (profile, sample index)
        for (p, profile) in profiles.enumerated() {
            for (s, sample) in profile.samples.enumerated() where sample.sketch.shingles >= 4 {
                sampleOwner.append(Int32(p))
                sketches.append((p, s))
            }
        }
        var sets = UnionFind(count: sketches.count)
        var buckets: [UInt64: Int32] = [:]
        buckets.reserveCapacity(sketches.count * 4)
        for (i, (p, s)) in sketches.enumerated() {
            let sketch = profiles[p].samples[s].sketch
            let signature = sketch.signature
            for band in 0..<Self.bands {
                var key = UInt64(band) &* 0x9e37_79b9_7f4a_7c15
                for r in 0..<Self.rows { key = mix64(key ^ UInt64(signature[band * Self.rows + r])) }
                if let rep = buckets[key] {
                    let (rp, rs) = sketches[Int(rep)]
                    if sets.find(Int(rep)) != sets.find(i),
                        profiles[rp].samples[rs].sketch.similarity(to: sketch) >= similarity
                    {
                        sets.union(Int(rep), i)
                    }
                } else {
                    buckets[key] = Int32(i)
                }
            }
        }
        // Gather groups that span enough accounts.
        var clusters: [Cluster] = []
        var clustersOfAccount = [[Int]](repeating: [], count: profiles.count)
        for members in sets.groups(minimum: minAccounts) {
            var accounts: [Int: Int] = [:]
            for m in members { accounts[Int(sampleOwner[m]), default: 0] += 1 }
            guard accounts.count >= minAccounts else { continue }
            let owners = Set(accounts.keys.map { profiles[$0].owner }).count
            guard owners >= minAccounts else { continue }
            var first = Timestamp(microseconds: .max)
            var last = Timestamp(microseconds: .min)
            var caps: [Capabilities: Int] = [:]
            for m in members {
                let (p, s) = sketches[m]
                let sample = profiles[p].samples[s]
                first = min(first, sample.ts)
                last = max(last, sample.ts)
                caps[sample.sketch.capabilities, default: 0] += 1
            }
            let (p0, s0) = sketches[members[0]]
            let id = clusters.count
            clusters.append(
                Cluster(
                    id: id, accounts: accounts, owners: owners, prompts: members.count,
                    excerpt: profiles[p0].samples[s0].sketch.excerpt, first: first, last: last,
                    capabilities: caps.max { $0.value < $1.value }?.key ?? []))
            for (account, count) in accounts {
                // A tie needs repetition: two sampled prompts, or a quarter of the account's sample.
                if count >= 2 || Double(count) >= 0.25 * Double(max(1, profiles[account].sampledPrompts)) {
                    clustersOfAccount[account].append(id)
                }
            }
        }
        self.clusters = clusters
        self.clustersOfAccount = clustersOfAccount
    }

    /// The share of an account's sampled prompts that fall in shared clusters.
    public func sharedShare(of account: Int, profile: AccountProfile) -> Double {
        let inShared = clustersOfAccount[account].reduce(0) { $0 + (clusters[$1].accounts[account] ?? 0) }
        return Double(inShared) / Double(max(1, profile.sampledPrompts))
    }
}
