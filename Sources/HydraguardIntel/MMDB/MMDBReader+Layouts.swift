/// Lookups for the GeoLite2 / DB-IP layouts, reading only the fields they need (no whole-record decode).
extension MMDBReader {
    static let countryPath: [[UInt8]] = [Array("country".utf8), Array("iso_code".utf8)]
    static let registeredCountryPath: [[UInt8]] = [Array("registered_country".utf8), Array("iso_code".utf8)]
    static let asnKey = [Array("autonomous_system_number".utf8)]
    static let asOrganizationKey = [Array("autonomous_system_organization".utf8)]

    /// The ISO 3166-1 alpha-2 country of `ip` (`country.iso_code`, else `registered_country.iso_code`).
    ///
    /// ```swift
    /// try db.countryCode(for: IPAddress("8.8.8.8")!)  // "US"
    /// ```
    public func countryCode(for ip: IPAddress) throws(IntelError) -> String? {
        guard let (offset, _) = try dataOffset(for: ip) else { return nil }
        return try countryCode(atOffset: offset)
    }

    /// The country code of the record at an offset from ``dataOffset(for:)``.
    public func countryCode(atOffset offset: Int) throws(IntelError) -> String? {
        try withDecoder { d throws(IntelError) in
            if let at = try d.find(path: Self.countryPath, from: offset), let code = try d.string(at: at) {
                return code
            }
            if let at = try d.find(path: Self.registeredCountryPath, from: offset) { return try d.string(at: at) }
            return nil
        }
    }

    /// The autonomous system of `ip`: its number and organisation.
    ///
    /// ```swift
    /// try asnDB.autonomousSystem(for: IPAddress("8.8.8.8")!)  // (15169, "Google LLC")
    /// ```
    public func autonomousSystem(for ip: IPAddress) throws(IntelError) -> (number: UInt32, organization: String?)? {
        guard let (offset, _) = try dataOffset(for: ip) else { return nil }
        return try autonomousSystem(atOffset: offset)
    }

    /// The autonomous system of the record at an offset from ``dataOffset(for:)``.
    public func autonomousSystem(atOffset offset: Int) throws(IntelError) -> (number: UInt32, organization: String?)? {
        try withDecoder { d throws(IntelError) in
            guard let at = try d.find(path: Self.asnKey, from: offset), let number = try d.unsigned(at: at),
                let asn = UInt32(exactly: number)
            else { return nil }
            let organization = try d.find(path: Self.asOrganizationKey, from: offset).flatMap { o throws(IntelError) in
                try d.string(at: o)
            }
            return (asn, organization)
        }
    }
}
