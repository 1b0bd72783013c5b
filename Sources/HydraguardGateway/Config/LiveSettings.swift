import HydraguardLog

/// The settings in force: the config as last loaded, with each tier's policy worked out once. Immutable;
/// a reload (``Gateway/reload()``) swaps in a new one. Only the sections in ``GatewayConfig/liveKeys``
/// may differ from the config the gateway started with.
final class LiveSettings: Sendable {
    let config: GatewayConfig
    /// The policy of each tier, by ``Tier/rank``.
    private let policies: [TierPolicy]

    init(_ config: GatewayConfig) {
        self.config = config
        policies = Tier.allCases.map { config.policy(for: $0) }
    }

    /// The policy of `tier` (``GatewayConfig/policy(for:)``).
    func policy(for tier: Tier) -> TierPolicy {
        switch tier {
        case .free: policies[0]
        case .email: policies[1]
        case .card: policies[2]
        case .id: policies[3]
        case .enterprise: policies[4]
        }
    }
}

extension GatewayConfig {
    /// The top-level keys a reload puts in force while the gateway runs.
    public static let liveKeys = ["tiers", "per_prefix", "per_asn", "verdicts", "trusted_proxies", "intel"]

    /// The live keys whose settings differ between the two configs.
    func changedLiveKeys(from old: GatewayConfig) -> [String] {
        var keys: [String] = []
        if Tier.allCases.map({ policy(for: $0) }) != Tier.allCases.map({ old.policy(for: $0) }) { keys.append("tiers") }
        if perPrefix != old.perPrefix || perPrefixFailedAuthPerMinute != old.perPrefixFailedAuthPerMinute {
            keys.append("per_prefix")
        }
        if perASN != old.perASN { keys.append("per_asn") }
        if verdicts != old.verdicts { keys.append("verdicts") }
        if trustedProxies != old.trustedProxies { keys.append("trusted_proxies") }
        if intel != old.intel { keys.append("intel") }
        return keys
    }

    /// The top-level keys outside ``liveKeys`` whose settings differ: a change to any of them takes a
    /// restart.
    func restartKeys(comparedTo old: GatewayConfig) -> [String] {
        var keys: [String] = []
        if listen != old.listen { keys.append("listen") }
        if admin != old.admin { keys.append("admin") }
        if upstream != old.upstream { keys.append("upstream") }
        if store != old.store { keys.append("store") }
        if records != old.records { keys.append("records") }
        if tlsFingerprintHeader != old.tlsFingerprintHeader { keys.append("tls_fingerprint_header") }
        if maxBodyBytes != old.maxBodyBytes { keys.append("max_body_bytes") }
        if charactersPerToken != old.charactersPerToken { keys.append("characters_per_token") }
        if shutdownTimeoutMs != old.shutdownTimeoutMs { keys.append("shutdown_timeout_ms") }
        return keys
    }
}
