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

    /// - Parameter behaviour: each profile's own behaviour score; shared exit addresses tie only accounts
    ///   that already behave suspiciously (at least `exitTieBehaviour`), since honest people share
    ///   addresses all the time (offices, campuses, carrier NAT).
    public init(profiles: [AccountProfile], templates: TemplateClusters, behaviour: [Double], exitTieBehaviour: Double = 0.15) {
        var sets = UnionFind(count: profiles.count)
        var ties = [Set<Tie>](repeating: [], count: profiles.count)

        for cluster in templates.clusters {
            let tied = cluster.accounts.keys.filter { templates.clustersOfAccount[$0].contains(cluster.id) }.sorted()
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
        groups = sets.groups(minimum: 2).filter { Set($0.map { profiles[$0].owner }).count >= 2 }
    }
}
