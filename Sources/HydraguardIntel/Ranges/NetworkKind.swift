/// What kind of network an address range belongs to, as a range list names it (`usage-log.md`,
/// "IP intelligence inputs").
///
/// ```swift
/// NetworkKind(rawValue: "datacenter")  // .datacenter
/// NetworkKind.vpn.isAnonymising        // true
/// ```
public enum NetworkKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case residential, mobile, business, datacenter, cdn, vpn, proxy, tor, bot

    /// VPNs, proxies and Tor: networks that hide who is behind them.
    public var isAnonymising: Bool { self == .vpn || self == .proxy || self == .tor }

    /// Hosting of some kind: datacenters and CDNs (where servers, not people, send requests).
    public var isHosting: Bool { self == .datacenter || self == .cdn }

    public var description: String { rawValue }
}
