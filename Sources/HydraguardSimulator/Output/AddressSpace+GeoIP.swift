public import HydraguardIntel

extension AddressSpace {
    /// The standard world placed inside real networks: every block moves into a network that a real
    /// country database (GeoLite2 or DB-IP layout) places in the block's country, so that the real database
    /// geolocates every simulated address as the simulator meant it.
    ///
    /// With a real ASN database as well, each block is first sought inside its own autonomous system's real
    /// networks in that country (the clouds', VPN hosts' and ISPs' own address space), and takes the number
    /// and organisation the real database gives its first address.
    ///
    /// Blocks keep their kinds, providers and sizes (a block larger than any free network of its country
    /// shrinks, down to `/24`); IPv6 blocks need a real `/32` or shorter of their country and are
    /// left out (their users fall back to IPv4) where there is none. The placement depends only on the
    /// databases, never on a seed, so one range list describes every run made with them.
    ///
    /// ```swift
    /// let country = try MMDBReader(path: ".cache/dbip/dbip-country-lite.mmdb")
    /// let space = try AddressSpace.standard.placed(in: country, asn: try MMDBReader(path: ".cache/dbip/dbip-asn-lite.mmdb"))
    /// let simulation = try Simulation(scenario: .preset("small"), space: space)
    /// ```
    ///
    /// Throws when a country of the world has no IPv4 network of `/24` or shorter in the database.
    public func placed(in countryDB: MMDBReader, asn asnDB: MMDBReader? = nil) throws(IntelError) -> AddressSpace {
        let byCountry4 = try Self.networksByCountry(countryDB, ipv4: true, maxPrefix: 24)
        guard !byCountry4.isEmpty else {
            throw IntelError(
                kind: .badDatabase, file: countryDB.path,
                message: "no IPv4 network has a country (country.iso_code): is it a country database? "
                    + "(its type is \(countryDB.metadata.databaseType))")
        }
        let byCountry6 = try Self.networksByCountry(countryDB, ipv4: false, maxPrefix: 32)
        var byASN4: [ASNCountry: [IPNetwork]] = [:]
        var byASN6: [ASNCountry: [IPNetwork]] = [:]
        if let asnDB {
            let wanted = Set(ranges.map { UInt32($0.asn) })
            var asnAt: [Int: UInt32?] = [:]
            for (ipv4, limit) in [(true, 24), (false, 32)] {
                for (network, offset) in asnDB.networks(ipv4: ipv4, maxPrefixLength: limit) {
                    let asn: UInt32?
                    if let known = asnAt[offset] {
                        asn = known
                    } else {
                        asn = try asnDB.autonomousSystem(atOffset: offset)?.number
                        asnAt[offset] = asn
                    }
                    guard let asn, wanted.contains(asn),
                        let country = try countryDB.countryCode(for: network.address)
                    else { continue }
                    let key = ASNCountry(asn: asn, country: country)
                    if ipv4 { byASN4[key, default: []].append(network) } else { byASN6[key, default: []].append(network) }
                }
            }
        }
        var placer = BlockPlacer()
        return try AddressSpace(relocating: self) { (i, range) throws(IntelError) -> AddressRange? in
            var moved = range
            // Inside its own AS's networks in its country if the ASN database has any, else its country's.
            let v6 = range.isIPv6
            let key = ASNCountry(asn: UInt32(range.asn), country: range.country)
            let own = (v6 ? byASN6 : byASN4)[key] ?? []
            let country = (v6 ? byCountry6 : byCountry4)[range.country] ?? []
            let prefix = v6 ? 32 : range.prefixLength
            guard
                let block = placer.place(prefix: prefix, v6: v6, in: own, key: UInt64(i))
                    ?? placer.place(prefix: prefix, v6: v6, in: country, key: UInt64(i))
            else {
                if v6 { return nil }  // its users fall back to IPv4
                throw IntelError(
                    kind: .unsupported, file: countryDB.path,
                    message: "no IPv4 network of country \(range.country) as large as /24 is free for the "
                        + "simulated \(range.kind.rawValue) block of \(range.provider)")
            }
            if v6 {
                moved.base = UInt32(truncatingIfNeeded: block.address.value >> 96)
            } else {
                moved.base = block.address.ipv4!
                moved.prefixLength = block.prefixLength
            }
            if let asnDB, let system = try asnDB.autonomousSystem(for: IPAddress(value: Self.firstAddress(of: moved))) {
                moved.asn = Int(system.number)
                if let organization = system.organization, !organization.isEmpty { moved.organization = organization }
            }
            return moved
        }
    }

    private struct ASNCountry: Hashable {
        var asn: UInt32
        var country: String
    }

    private static func firstAddress(of range: AddressRange) -> UInt128 {
        range.isIPv6 ? UInt128(range.base) << 96 : IPAddress.ipv4Prefix | UInt128(range.base)
    }

    /// The database's networks of one family by country, in address order.
    private static func networksByCountry(
        _ db: MMDBReader, ipv4: Bool, maxPrefix: Int
    ) throws(IntelError) -> [String: [IPNetwork]] {
        var countryAt: [Int: String?] = [:]
        var result: [String: [IPNetwork]] = [:]
        for (network, offset) in db.networks(ipv4: ipv4, maxPrefixLength: maxPrefix) {
            let code: String?
            if let known = countryAt[offset] {
                code = known
            } else {
                code = try db.countryCode(atOffset: offset)
                countryAt[offset] = code
            }
            if let code { result[code, default: []].append(network) }
        }
        return result
    }
}

/// Carves non-overlapping blocks out of real networks, deterministically.
struct BlockPlacer {
    private var taken: [(UInt128, UInt128)] = []

    /// A free block of `prefix` bits (in the family's terms) inside one of `networks`; when none is free
    /// (or none is as large), a smaller block, down to `/24` for IPv4; nil when nothing is free.
    mutating func place(prefix: Int, v6: Bool, in networks: [IPNetwork], key: UInt64) -> IPNetwork? {
        guard !networks.isEmpty else { return nil }
        let smallest = v6 ? prefix : max(prefix, 24)
        for size in prefix...smallest {
            let pool = networks.filter { $0.prefixLength <= size }
            if pool.isEmpty { continue }
            if let block = place(size: size, v6: v6, pool: pool, key: key) { return block }
        }
        return nil
    }

    private mutating func place(size: Int, v6: Bool, pool: [IPNetwork], key: UInt64) -> IPNetwork? {
        let familyOffset = v6 ? 0 : 96
        var h = SeededRandom.mix(key &+ 0x9E37_79B9)
        for attempt in 0..<512 {
            h = SeededRandom.mix(h &+ UInt64(attempt))
            let network = pool[Int(h % UInt64(pool.count))]
            let spare = size - network.prefixLength
            let choices: UInt64 = spare >= 63 ? .max : UInt64(1) << UInt64(spare)
            let pick = UInt128(SeededRandom.mix(h) % choices)
            let start = network.address.value | (pick << UInt128(128 - familyOffset - size))
            let end = start | ~IPNetwork.mask(familyOffset + size)
            if taken.contains(where: { $0.0 <= end && start <= $0.1 }) { continue }
            taken.append((start, end))
            return IPNetwork(address: IPAddress(value: start), bits: familyOffset + size)
        }
        return nil
    }
}
