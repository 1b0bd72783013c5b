/// Accounts outside a campaign, or only weakly tied to it, that relay its traffic: a reseller or shared gateway whose honest
/// customers' prompts are mixed with a campaign's templated ones.
///
/// Campaign templates are the shared clusters whose accounts are at least 80% members of judged campaigns
/// (risk at `throttle` or above): several campaigns may work from one template kit, as operators share
/// them. Each such cluster is credited to the campaign with the most members in it; an outside account's
/// share is the part of its sampled prompts in one campaign's clusters (10% or more is kept).
struct CampaignTraffic {
    /// For each profile: the campaign (assessment index) whose templates it carries most, and the share.
    var share: [Int: (Int, Double)] = [:]

    init(profiles: [AccountProfile], templates: TemplateClusters, assessments: [CampaignAssessment], campaignOf: [Int?]) {
        guard !assessments.isEmpty else { return }
        // The campaign each shared cluster belongs to, if one dominates it.
        var clusterCampaign: [Int: Int] = [:]
        for cluster in templates.clusters {
            var counts: [Int: Int] = [:]
            for account in cluster.accounts.keys {
                if let c = campaignOf[account], assessments[c].risk >= Verdicts.throttle { counts[c, default: 0] += 1 }
            }
            let members = counts.values.reduce(0, +)
            guard let (c, _) = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
                Double(members) >= 0.8 * Double(cluster.accounts.count)
            else { continue }
            clusterCampaign[cluster.id] = c
        }
        // One pass over the campaigns' templates: each account's sampled prompts in each campaign's templates.
        var counts: [Int: [Int: Int]] = [:]
        for cluster in templates.clusters {
            guard let c = clusterCampaign[cluster.id] else { continue }
            for (account, n) in cluster.accounts { counts[account, default: [:]][c, default: 0] += n }
        }
        for (account, byCampaign) in counts {
            guard let (c, n) = byCampaign.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })
            else { continue }
            let fraction = Double(n) / Double(max(1, profiles[account].sampledPrompts))
            if fraction >= 0.1 { share[account] = (c, fraction) }
        }
    }
}
