import HydraguardLog

/// Accounts joined by what ties them: shared prompt templates, shared payment instruments, shared
/// sign-up addresses. Its connected groups are the campaign candidates; ties inside one organisation
/// don't count (an organisation's members share cards, templates and offices by design).
public struct AccountGraph: Sendable {
    public enum Tie: String, Sendable, Hashable, CaseIterable {
        case template = "prompt_template_shared"
        case payment = "shared_payment_fp"
        case signupAddress = "shared_signup_address"
        case exitAddress = "shared_exit_address"
    }

    /// Groups of profile indices with at least two owners, largest first.
    public var groups: [[Int]]
    /// For each profile, which kinds of tie joined it to others.
    public var ties: [Set<Tie>]

    /// - Parameter behaviour: each profile's own behaviour score; shared templates and exit addresses tie
    ///   only accounts that already behave suspiciously (at least `exitTieBehaviour`), since honest people
    ///   share both all the time (look-alike prompts; offices, campuses, carrier NAT). Cards and sign-up
    ///   addresses tie anyone.
    public init(profiles: [AccountProfile], templates: TemplateClusters, behaviour: [Double], exitTieBehaviour: Double = 0.25) {
        var sets = UnionFind(count: profiles.count)
        var ties = [Set<Tie>](repeating: [], count: profiles.count)

        // Shared templates tie only suspicious accounts: honest people send look-alike prompts all the time
        // ("write a poem about ...", the same homework), so a template alone must not chain them together.
        // A template most of whose users are honest (popular phrasing, or a campaign's cover traffic) ties nobody.
        for cluster in templates.clusters {
            let suspicious = cluster.accounts.keys.filter { behaviour[$0] >= exitTieBehaviour }.count
            guard 2 * suspicious >= cluster.accounts.count else { continue }
            let tied = cluster.accounts.keys.filter {
                behaviour[$0] >= exitTieBehaviour && templates.clustersOfAccount[$0].contains(cluster.id)
            }.sorted()
            guard tied.count >= 2, Set(tied.map { profiles[$0].owner }).count >= 2 else { continue }
            for a in tied {
                sets.union(tied[0], a)
                ties[a].insert(.template)
            }
        }

        func joinGroups(_ key: (AccountProfile) -> String?, tie: Tie, minimumOwners: Int) {
            var byKey: [String: [Int]] = [:]
            for (i, p) in profiles.enumerated() {
                if let k = key(p), !k.isEmpty { byKey[k, default: []].append(i) }
            }
            for members in byKey.values where members.count >= 2 {
                guard Set(members.map { profiles[$0].owner }).count >= minimumOwners else { continue }
                for m in members {
                    sets.union(members[0], m)
                    ties[m].insert(tie)
                }
            }
        }
        joinGroups({ $0.record?.paymentFingerprint }, tie: .payment, minimumOwners: 2)
        joinGroups({ $0.record?.signupIP }, tie: .signupAddress, minimumOwners: 3)

        // Exit addresses shared by suspicious accounts of different owners (2 to 64 of them: an address
        // more widely shared than that is infrastructure, not a campaign's proxy).
        var byAddress: [UInt64: [Int32]] = [:]
        for (i, p) in profiles.enumerated() where behaviour[i] >= exitTieBehaviour {
            for address in p.addressSample { byAddress[address, default: []].append(Int32(i)) }
        }
        for members in byAddress.values where members.count >= 2 && members.count <= 64 {
            let first = Int(members[0])
            guard members.contains(where: { profiles[Int($0)].owner != profiles[first].owner }) else { continue }
            for m in members {
                sets.union(first, Int(m))
                ties[Int(m)].insert(.exitAddress)
            }
        }

        self.ties = ties
        groups = sets.groups(minimum: 2)
            .flatMap { AccountGraph.splitByOperation($0, profiles: profiles) }
            .flatMap { AccountGraph.splitByClientStack($0, profiles: profiles) }
            .filter { Set($0.map { profiles[$0].owner }).count >= 2 }
            .sorted { $0.count > $1.count || ($0.count == $1.count && $0[0] < $1[0]) }
    }

    /// Splits a tied group that holds two or more large blocks of accounts on one client stack each (the
    /// exact user agent and TLS fingerprint): two operators who share templates (public or leaked) still run
    /// their own automation. A block is at least 5 accounts and 10% of the group; the accounts on other
    /// stacks join the largest block. A group with varied clients and no such blocks stays whole.
    static func splitByClientStack(_ group: [Int], profiles: [AccountProfile]) -> [[Int]] {
        var byStack: [String: [Int]] = [:]
        for m in group { byStack[profiles[m].dominantStack, default: []].append(m) }
        let minimum = max(5, group.count / 10)
        var blocks = byStack.values.filter { $0.count >= minimum }
            .sorted { $0.count > $1.count || ($0.count == $1.count && $0[0] < $1[0]) }
        guard blocks.count >= 2 else { return [group] }
        let inBlocks = Set(blocks.joined())
        blocks[0].append(contentsOf: group.filter { !inBlocks.contains($0) })
        return blocks.map { $0.sorted() }
    }

    /// How an account is run, coarsely: its daily rhythm and how its addresses change.
    public struct Operation: Hashable, Sendable {
        public enum Rhythm: Hashable, Sendable { case flat, human, unknown }
        public enum Addresses: Hashable, Sendable { case perRequest, daily, stable }
        public var rhythm: Rhythm
        public var addresses: Addresses

        public init(_ p: AccountProfile) {
            if p.requests < 40 || p.activeDays < 3 {
                rhythm = .unknown
            } else {
                rhythm = p.busiest12HourShare < 0.65 ? .flat : .human
            }
            if p.addressesPerActiveDay >= 3 {
                addresses = .perRequest
            } else if p.newAddressDayShare >= 0.6 && p.activeDays >= 3 {
                addresses = .daily
            } else {
                addresses = .stable
            }
        }
    }

    /// Splits a tied group where it holds accounts run in different ways: one operator runs its accounts
    /// the same way, so a group that mixes round-the-clock rotators with human-paced sticky accounts is two
    /// campaigns bridged by shared content. Each way of running becomes its own group (a small one is then
    /// too small to be a campaign, and its accounts are judged alone); accounts too quiet to show a rhythm
    /// stay with the largest part when their addresses change the same way, so that sparse data never
    /// fragments a campaign (and a quiet honest account is not folded into one).
    static func splitByOperation(_ group: [Int], profiles: [AccountProfile]) -> [[Int]] {
        var parts: [Operation: [Int]] = [:]
        for m in group { parts[Operation(profiles[m]), default: []].append(m) }
        guard parts.count > 1 else { return [group] }
        let ordered = parts.sorted { $0.value.count > $1.value.count || ($0.value.count == $1.value.count && $0.value[0] < $1.value[0]) }
        var kept: [(Operation, [Int])] = []
        var quiet: [(Operation, [Int])] = []
        for (operation, members) in ordered {
            if operation.rhythm != .unknown { kept.append((operation, members)) } else { quiet.append((operation, members)) }
        }
        if kept.isEmpty { return [group] }
        for (operation, members) in quiet {
            if operation.addresses == kept[0].0.addresses {
                kept[0].1.append(contentsOf: members)
            } else {
                kept.append((operation, members))
            }
        }
        return kept.map { $0.1.sorted() }
    }
}
