/// What is known about a client address: country, network and kind.
public struct AddressInfo: Sendable, Hashable {
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String?
    public var asn: Int?
    public var asOrganization: String?
    /// `residential`, `mobile`, `business`, `datacenter`, `cdn`, `vpn`, `proxy`, `tor`, `bot` (usage-log spec).
    public var kind: String?

    public init(country: String? = nil, asn: Int? = nil, asOrganization: String? = nil, kind: String? = nil) {
        self.country = country
        self.asn = asn
        self.asOrganization = asOrganization
        self.kind = kind
    }
}

/// Looks addresses up (MMDB databases and range lists, through HydraguardIntel in the CLI).
public protocol AddressIntelligence: Sendable {
    func lookup(_ address: String) -> AddressInfo
}

/// A fixed table of ranges: for small deployments, demos and tests.
public struct RangeTableIntelligence: AddressIntelligence {
    public var entries: [(CIDR, AddressInfo)]

    public init(_ entries: [(CIDR, AddressInfo)]) {
        self.entries = entries.sorted { $0.0.bits > $1.0.bits }
    }

    /// The most specific range containing the address.
    public func lookup(_ address: String) -> AddressInfo {
        guard let parsed = GatewayAddress(address) else { return AddressInfo() }
        return entries.first { $0.0.contains(parsed) }?.1 ?? AddressInfo()
    }
}
