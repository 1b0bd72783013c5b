import Foundation

/// The simulated internet: residential and mobile networks per country, clouds, VPN brands, Tor exits and
/// universities, laid out deterministically over public-looking IPv4 blocks (and some IPv6).
///
/// The layout does not depend on the scenario's seed, so one range list describes every run.
public struct AddressSpace: Sendable {
    public private(set) var ranges: [AddressRange] = []
    private var index: [Key: [Int]] = [:]
    /// Indices of the university networks, in table order.
    private(set) var universityRanges: [Int] = []

    struct Key: Hashable, Sendable {
        var kind: AddressKind
        var country: String
        var v6: Bool
    }

    /// Cloud providers: (asn, organisation, provider name, countries).
    static let clouds: [(Int, String, String, [String])] = [
        (16509, "Amazon.com, Inc.", "Amazon Web Services", ["US", "US", "DE", "GB", "JP", "SG", "IN", "BR"]),
        (15169, "Google LLC", "Google Cloud", ["US", "NL", "JP", "SG"]),
        (8075, "Microsoft Corporation", "Microsoft Azure", ["US", "NL", "GB", "SG"]),
        (14061, "DigitalOcean, LLC", "DigitalOcean", ["US", "DE", "SG"]),
        (24940, "Hetzner Online GmbH", "Hetzner", ["DE", "DE"]),
        (16276, "OVH SAS", "OVHcloud", ["FR", "CA"]),
        (31898, "Oracle Corporation", "Oracle Cloud", ["US"]),
        (45102, "Alibaba US Technology Co., Ltd.", "Alibaba Cloud", ["SG", "US"]),
    ]

    /// VPN brands: (asn, hosting organisation, brand, exit countries).
    static let vpns: [(Int, String, String, [String])] = [
        (9009, "M247 Europe SRL", "NordVPN", ["US", "GB", "DE", "NL", "JP", "CA", "SE", "CH", "SG", "AU"]),
        (60068, "Datacamp Limited", "ExpressVPN", ["US", "GB", "NL", "SG", "JP", "DE"]),
        (39351, "31173 Services AB", "Mullvad VPN", ["SE", "DE", "US", "NL", "CH"]),
        (209103, "Proton AG", "Proton VPN", ["CH", "NL", "US", "DE", "JP"]),
        (212238, "Datacamp Limited", "Surfshark", ["US", "GB", "DE", "NL", "PL"]),
    ]

    /// Universities: (asn, organisation, country).
    static let universities: [(Int, String, String)] = [
        (32, "Stanbridge University", "US"), (3, "Northfield Institute of Technology", "US"),
        (786, "University of Ashbourne", "GB"), (680, "Technische Hochschule Rheinfeld", "DE"),
        (2907, "Kitano University", "JP"), (55824, "Indian Institute of Science and Technology Puravadi", "IN"),
        (376, "Universite de Montclair", "CA"), (7575, "University of Eastbay", "AU"),
        (1916, "Universidade Federal de Serra Azul", "BR"), (9488, "Hanbit National University", "KR"),
        (1103, "Universiteit van Westmeer", "NL"), (2200, "Universite Paris-Lumiere", "FR"),
    ]

    /// Tor exit hosts: (asn, organisation, country).
    static let torHosts: [(Int, String, String)] = [
        (60729, "Stiftung Erneuerbare Freiheit", "DE"), (200052, "Feral.io Ltd", "NL"),
        (53667, "FranTech Solutions", "US"), (16276, "OVH SAS", "FR"),
    ]

    /// The default world.
    public static let standard = AddressSpace()

    public init() {
        var cursor = Cursor()
        var v6Next: UInt32 = 0x2A02_0100
        for country in Country.all {
            for isp in country.isps {
                for _ in 0..<2 {
                    add(cursor.take(16), 16, .residential, isp.org, country.code, isp.asn, isp.org)
                }
                add(cursor.take(18), 18, .business, "\(isp.org) Business", country.code, isp.asn, isp.org)
                add(v6Next, 32, .residential, isp.org, country.code, isp.asn, isp.org, v6: true)
                v6Next &+= 0x35
            }
            for carrier in country.carriers {
                add(cursor.take(16), 16, .mobile, carrier.org, country.code, carrier.asn, carrier.org)
                add(v6Next, 32, .mobile, carrier.org, country.code, carrier.asn, carrier.org, v6: true)
                v6Next &+= 0x35
            }
        }
        for (asn, org, name, countries) in Self.clouds {
            for country in countries {
                add(cursor.take(17), 17, .datacenter, name, country, asn, org)
            }
        }
        for (asn, org, brand, countries) in Self.vpns {
            for country in countries {
                add(cursor.take(22), 22, .vpn, brand, country, asn, org)
            }
        }
        for (asn, org, country) in Self.torHosts {
            add(cursor.take(24), 24, .tor, "Tor exit relays", country, asn, org)
        }
        for (asn, org, country) in Self.universities {
            universityRanges.append(ranges.count)
            add(cursor.take(20), 20, .business, org, country, asn, org)
        }
    }

    /// The same world laid out again by `place`, which gives each range (in table order) its new block, or
    /// nil to leave the range out. Universities stay universities.
    init<E: Error>(relocating world: AddressSpace, place: (Int, AddressRange) throws(E) -> AddressRange?) throws(E) {
        let universities = Set(world.universityRanges)
        for (i, range) in world.ranges.enumerated() {
            guard let moved = try place(i, range) else { continue }
            if universities.contains(i) { universityRanges.append(ranges.count) }
            add(moved)
        }
    }

    private mutating func add(_ range: AddressRange) {
        index[Key(kind: range.kind, country: range.country, v6: range.isIPv6), default: []].append(ranges.count)
        index[Key(kind: range.kind, country: "*", v6: range.isIPv6), default: []].append(ranges.count)
        ranges.append(range)
    }

    private mutating func add(
        _ base: UInt32,
        _ prefix: Int,
        _ kind: AddressKind,
        _ provider: String,
        _ country: String,
        _ asn: Int,
        _ org: String,
        v6: Bool = false
    ) {
        let range = AddressRange(
            isIPv6: v6,
            base: base,
            prefixLength: prefix,
            kind: kind,
            provider: provider,
            country: country,
            asn: asn,
            organization: org
        )
        add(range)
    }

    /// Range indices of a kind in a country (`*` for any country).
    func ranges(_ kind: AddressKind, in country: String, ipv6: Bool = false) -> [Int] {
        index[Key(kind: kind, country: country, v6: ipv6)] ?? []
    }

    /// A random address of the kind in the country (any country when it has none of that kind).
    func randomAddress(_ kind: AddressKind, in country: String, ipv6: Bool = false, rng: inout SeededRandom) -> String {
        var candidates = ranges(kind, in: country, ipv6: ipv6)
        if candidates.isEmpty { candidates = ranges(kind, in: country, ipv6: false) }
        if candidates.isEmpty { candidates = ranges(kind, in: "*", ipv6: false) }
        let range = ranges[rng.pick(candidates)]
        return range.address(rng.next())
    }

    /// The university range of the given number (wrapping).
    func university(_ number: Int) -> AddressRange {
        ranges[universityRanges[number % universityRanges.count]]
    }

    /// The range list in the format of `usage-log.md` ("IP range lists"): `cidr,kind,provider`.
    public var rangeListCSV: String {
        var text = "cidr,kind,provider\n"
        for range in ranges {
            text += "\(range.cidr),\(range.kind.rawValue),\(CSV.field(range.provider))\n"
        }
        return text
    }
}

/// Hands out aligned IPv4 blocks scattered over public-looking first octets (never private, loopback,
/// shared, link-local or multicast space), so that the simulated world does not sit in one corner.
struct Cursor {
    static let octets: [UInt32] = {
        let excluded: Set<UInt32> = [0, 10, 100, 127, 169, 172, 192, 198, 203]
        var list: [UInt32] = []
        for octet in UInt32(1)...UInt32(223) where !excluded.contains(octet) { list.append(octet) }
        return list
    }()
    var taken = 0
    var nextInOctet: [UInt32: UInt32] = [:]

    mutating func take(_ prefix: Int) -> UInt32 {
        let size = UInt32(1) << UInt32(32 - prefix)
        let octet = Cursor.octets[(taken * 97 + 13) % Cursor.octets.count]
        taken += 1
        var next = nextInOctet[octet] ?? (octet << 24 | UInt32((taken * 61) % 128) << 16)
        if next % size != 0 { next = (next / size + 1) * size }
        nextInOctet[octet] = next &+ size
        return next
    }
}

enum CSV {
    static func field(_ text: String) -> String {
        guard text.contains(",") || text.contains("\"") || text.contains("\n") else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension AddressSpace {
    /// The country of a simulated address (nil when it is outside the space).
    func country(of address: String) -> String? {
        range(of: address).map { ranges[$0].country }
    }

    /// The index of the most specific range holding the address.
    func range(of address: String) -> Int? {
        if address.contains(":") {
            let groups = address.split(separator: ":", omittingEmptySubsequences: false)
            guard groups.count >= 2, let hi = UInt32(groups[0], radix: 16), let lo = UInt32(groups[1], radix: 16) else {
                return nil
            }
            let top = hi << 16 | lo
            return ranges.firstIndex { $0.isIPv6 && $0.base == top }
        }
        let parts = address.split(separator: ".")
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = UInt32(part), octet < 256 else { return nil }
            value = value << 8 | octet
        }
        var best: Int? = nil
        for (i, r) in ranges.enumerated() where !r.isIPv6 {
            let mask: UInt32 = r.prefixLength == 0 ? 0 : ~UInt32(0) << UInt32(32 - r.prefixLength)
            if value & mask == r.base, best.map({ ranges[$0].prefixLength < r.prefixLength }) ?? true { best = i }
        }
        return best
    }
}
