public import HydraguardIntel

/// HydraguardIntel's databases (MMDB country and ASN, range lists) as the gateway's address lookup.
///
/// ```swift
/// let intel = try IPIntelligence(countryDB: "country.mmdb", asnDB: "asn.mmdb", rangeLists: ["ranges.csv"])
/// let gateway = Gateway(config: config, store: store, httpClient: client, logger: logger,
///                       intel: IntelAddressLookup(intel))
/// ```
public struct IntelAddressLookup: AddressIntelligence {
    public let intel: IPIntelligence

    public init(_ intel: IPIntelligence) { self.intel = intel }

    public func lookup(_ address: String) -> AddressInfo {
        guard let info = intel.lookup(address) else { return AddressInfo() }
        return AddressInfo(
            country: info.country?.uppercased(), asn: info.asn.map { Int($0) }, asOrganization: info.asOrganization,
            kind: info.kind?.rawValue)
    }
}

extension IntelConfig {
    /// Opens the databases and range lists the config names; nil when it names none.
    public func open() throws -> IntelAddressLookup? {
        guard countryDatabase != nil || asnDatabase != nil || !ipRanges.isEmpty else { return nil }
        return IntelAddressLookup(try IPIntelligence(countryDB: countryDatabase, asnDB: asnDatabase, rangeLists: ipRanges))
    }
}
