/// What kind of network a range belongs to (`usage-log.md`, "IP range lists").
public enum AddressKind: String, Sendable, Hashable, CaseIterable, Codable {
    case residential, mobile, business, datacenter, cdn, vpn, proxy, tor, bot
}

/// One block of the simulated address space, with everything IP intelligence would say about it.
public struct AddressRange: Sendable, Hashable {
    /// IPv4 blocks hold the address in `base`; IPv6 blocks hold the top 32 bits of a /32 in `base`.
    public var isIPv6: Bool
    public var base: UInt32
    public var prefixLength: Int
    public var kind: AddressKind
    /// Free text for the range list: the ISP, cloud, VPN brand or university.
    public var provider: String
    /// ISO 3166-1 alpha-2 where the block geolocates.
    public var country: String
    public var asn: Int
    /// The autonomous system's organisation, as an ASN database names it.
    public var organization: String

    /// The block in CIDR notation, e.g. `24.16.0.0/16` or `2a02:1a0::/32`.
    public var cidr: String {
        if isIPv6 {
            return "\(String(base >> 16, radix: 16)):\(String(base & 0xFFFF, radix: 16))::/\(prefixLength)"
        }
        return "\(IPv4.text(base))/\(prefixLength)"
    }

    /// How many host positions the block offers (capped for IPv6).
    var size: UInt64 { isIPv6 ? 1 << 40 : UInt64(1) << UInt64(32 - prefixLength) }

    /// A deterministic address inside the block, chosen by `position`.
    func address(_ position: UInt64) -> String {
        if isIPv6 {
            let p = SeededRandom.mix(position)
            var groups: [String] = [String(base >> 16, radix: 16), String(base & 0xFFFF, radix: 16)]
            groups.reserveCapacity(8)
            for shift in stride(from: 48, through: 0, by: -16) {
                groups.append(String(UInt16(truncatingIfNeeded: p >> UInt64(shift)), radix: 16))
            }
            groups.append(String(UInt16(truncatingIfNeeded: position), radix: 16))
            return groups.joined(separator: ":")
        }
        let hostBits = 32 - prefixLength
        var host = UInt32(truncatingIfNeeded: position % (UInt64(1) << UInt64(hostBits)))
        // Skip the network and broadcast-looking ends of every /24.
        let last = host & 0xFF
        if last == 0 { host |= 1 } else if last == 255 { host &= ~UInt32(1) }
        return IPv4.text(base | host)
    }
}

enum IPv4 {
    static func text(_ v: UInt32) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(15)
        for shift in [24, 16, 8, 0] {
            let octet = Int((v >> UInt32(shift)) & 0xFF)
            if octet >= 100 { bytes.append(UInt8(48 + octet / 100)) }
            if octet >= 10 { bytes.append(UInt8(48 + (octet / 10) % 10)) }
            bytes.append(UInt8(48 + octet % 10))
            if shift != 0 { bytes.append(46) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
