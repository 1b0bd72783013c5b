/// What the audit needs to know of a client address. The audit runs without any IP intelligence
/// (everything is `unknown`); with MMDB files or range lists it learns countries, networks and kinds.
public struct AddressInfo: Sendable, Hashable {
    /// Two upper-case ASCII letters packed into 16 bits; 0 when unknown.
    public var country: UInt16
    /// 0 when unknown.
    public var asn: UInt32
    public var kind: AddressKind

    public init(country: String? = nil, asn: UInt32 = 0, kind: AddressKind = .unknown) {
        self.country = AddressInfo.pack(country)
        self.asn = asn
        self.kind = kind
    }

    public static let unknown = AddressInfo()

    public static func pack(_ code: String?) -> UInt16 {
        guard let code, code.utf8.count == 2 else { return 0 }
        let bytes = Array(code.uppercased().utf8)
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }

    public static func unpack(_ packed: UInt16) -> String? {
        guard packed != 0 else { return nil }
        return String(decoding: [UInt8(packed >> 8), UInt8(packed & 0xFF)], as: UTF8.self)
    }

    public var countryCode: String? { AddressInfo.unpack(country) }
}

/// The kind of network an address belongs to (the range lists' `kind` column).
public enum AddressKind: UInt8, Sendable, Hashable, CaseIterable {
    case unknown, residential, mobile, business, datacenter, cdn, vpn, proxy, tor, bot

    public var name: String { "\(self)" }

    public init(name: String) { self = AddressKind.allCases.first { $0.name == name } ?? .unknown }

    /// Addresses that hide the client: VPNs, open proxies, Tor.
    public var isAnonymiser: Bool { self == .vpn || self == .proxy || self == .tor }
    /// Hosting networks: cloud, datacenter, CDN, crawlers.
    public var isHosting: Bool { self == .datacenter || self == .cdn || self == .bot }
}

/// Looks up addresses for the audit. Implemented over HydraguardIntel's databases by the CLI, and by
/// tests with fixed tables.
public protocol AddressResolver: Sendable {
    func resolve(_ ip: String) -> AddressInfo
}

/// A resolver that knows nothing: the audit still works from what the events show.
public struct NoAddressIntelligence: AddressResolver {
    public init() {}
    public func resolve(_ ip: String) -> AddressInfo { .unknown }
}
