/// What is known about one address: where it is, whose network it is, and what kind of network.
public struct IPInfo: Sendable, Hashable {
    public var address: IPAddress
    /// ISO 3166-1 alpha-2 country code, from the country database.
    public var country: String?
    /// Autonomous system number, from the ASN database.
    public var asn: UInt32?
    /// The autonomous system's organisation, from the ASN database.
    public var asOrganization: String?
    /// The network's kind, from the range lists (most specific range).
    public var kind: NetworkKind?
    /// Who runs the range, from the range lists (nil when no range matched; may be empty).
    public var provider: String?

    public init(
        address: IPAddress,
        country: String? = nil,
        asn: UInt32? = nil,
        asOrganization: String? = nil,
        kind: NetworkKind? = nil,
        provider: String? = nil
    ) {
        self.address = address
        self.country = country
        self.asn = asn
        self.asOrganization = asOrganization
        self.kind = kind
        self.provider = provider
    }

    /// The network the address is grouped in: `/24` for IPv4, `/48` for IPv6.
    public var groupingNetwork: IPNetwork { address.groupingNetwork }
}

/// IP intelligence from the inputs the spec names (`usage-log.md`, "IP intelligence inputs"): a country
/// database, an ASN database (both MMDB, GeoLite2 or DB-IP layout) and CIDR range lists. Any of them may
/// be absent; lookups then leave those fields nil. Immutable after loading, so one instance can be shared
/// by every task.
///
/// ```swift
/// let intel = try IPIntelligence(countryDB: "country.mmdb", asnDB: "asn.mmdb", rangeLists: ["ranges.csv"])
/// if let info = intel.lookup("8.8.8.8") {
///     info.country          // "US"
///     info.asn              // 15169
///     info.kind             // .datacenter, when a range list says so
///     info.groupingNetwork  // 8.8.8.0/24
/// }
/// ```
public struct IPIntelligence: Sendable {
    public let countryDB: MMDBReader?
    public let asnDB: MMDBReader?
    public let ranges: RangeTable
    /// The country database's tree, with each record's country code decoded once at load.
    private let countries: MMDBCompiledTree<String>?
    /// The ASN database's tree, with each record's autonomous system decoded once at load.
    private let systems: MMDBCompiledTree<AutonomousSystem>?

    struct AutonomousSystem: Sendable, Hashable {
        var number: UInt32
        var organization: String?
    }

    /// Loads the given files; errors name the file (and line, for range lists).
    public init(countryDB: String? = nil, asnDB: String? = nil, rangeLists: [String] = []) throws(IntelError) {
        try self.init(
            country: try countryDB.map { path throws(IntelError) in try MMDBReader(path: path) },
            asn: try asnDB.map { path throws(IntelError) in try MMDBReader(path: path) },
            ranges: try RangeTable(paths: rangeLists)
        )
    }

    /// Intelligence from readers and ranges already loaded. Every record the databases hold is decoded
    /// here, once, so that a lookup is a walk of the search tree and a table look-up.
    ///
    /// - Throws: ``IntelError`` naming the file when a record is corrupt.
    public init(country: MMDBReader? = nil, asn: MMDBReader? = nil, ranges: RangeTable = RangeTable())
        throws(IntelError)
    {
        self.countryDB = country
        self.asnDB = asn
        self.ranges = ranges
        countries = try country.map { db throws(IntelError) in
            try MMDBCompiledTree(db) { offset throws(IntelError) in try db.countryCode(atOffset: offset) }
        }
        systems = try asn.map { db throws(IntelError) in
            try MMDBCompiledTree(db) { offset throws(IntelError) in
                try db.autonomousSystem(atOffset: offset).map {
                    AutonomousSystem(number: $0.number, organization: $0.organization)
                }
            }
        }
    }

    /// No sources at all: lookups only parse the address.
    public static let empty = IPIntelligence()

    private init() {
        countryDB = nil
        asnDB = nil
        ranges = RangeTable()
        countries = nil
        systems = nil
    }

    /// True when at least one source was given.
    public var hasSources: Bool { countryDB != nil || asnDB != nil || !ranges.entries.isEmpty }

    /// What is known about the address in `text`; nil when it is not an IP address.
    public func lookup(_ text: some StringProtocol) -> IPInfo? {
        guard let address = IPAddress(text) else { return nil }
        return lookup(address)
    }

    /// What is known about `address`.
    public func lookup(_ address: IPAddress) -> IPInfo {
        var info = IPInfo(address: address)
        if let countries {
            info.country = countries.lookup(address)
        }
        if let systems, let system = systems.lookup(address) {
            info.asn = system.number
            info.asOrganization = system.organization
        }
        if let range = ranges.lookup(address) {
            info.kind = range.kind
            info.provider = range.provider
        }
        return info
    }
}
