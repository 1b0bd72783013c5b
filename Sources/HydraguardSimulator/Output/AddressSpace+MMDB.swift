import HydraguardIntel

extension AddressSpace {
    /// The space's networks as `IPNetwork`s, in range order.
    func networks() throws -> [(IPNetwork, AddressRange)] {
        try ranges.map { range in (try IPNetwork(parsing: range.cidr), range) }
    }

    /// Writes `country.mmdb` and `asn.mmdb` in the GeoLite2 layouts, which the audit and gateway read with
    /// `--geoip` and `--asn`.
    public func writeDatabases(country countryPath: String, asn asnPath: String) throws {
        let networks = try networks()
        try MMDBWriter.country(networks.map { ($0.0, $0.1.country) }).write(to: countryPath)
        try MMDBWriter.asn(networks.map { ($0.0, UInt32($0.1.asn), $0.1.organization) }).write(to: asnPath)
    }
}
