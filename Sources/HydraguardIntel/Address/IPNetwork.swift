/// A CIDR network in the 128-bit address space of ``IPAddress``: `10.0.0.0/8` is stored as
/// `::ffff:10.0.0.0/104`, and prints back as `10.0.0.0/8`.
///
/// ```swift
/// let net = try IPNetwork(parsing: "10.0.0.0/8")
/// net.contains(IPAddress("10.1.2.3")!)  // true
/// net.prefixLength                      // 8 (in its own family)
/// net.description                       // "10.0.0.0/8"
/// try IPNetwork(parsing: "2001:db8::/32").last  // 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff
/// ```
public struct IPNetwork: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The first address (host bits are zero).
    public let address: IPAddress
    /// Prefix length in the 128-bit space (96 + n for an IPv4 `/n`).
    public let bits: Int

    /// A network from its first address and its prefix length in the 128-bit space; host bits are cleared.
    public init(address: IPAddress, bits: Int) {
        precondition((0...128).contains(bits), "prefix length \(bits) is not in 0...128")
        self.bits = bits
        self.address = IPAddress(value: address.value & Self.mask(bits))
    }

    /// A network from an address and a prefix length in the address's own family (`/24` for IPv4).
    public init(address: IPAddress, prefixLength: Int) {
        self.init(address: address, bits: address.isIPv4 ? prefixLength + 96 : prefixLength)
    }

    /// The network mask for a prefix length in the 128-bit space.
    @inlinable public static func mask(_ bits: Int) -> UInt128 {
        bits == 0 ? 0 : ~UInt128(0) << (128 - bits)
    }

    /// True when the network lies inside the IPv4 space (`::ffff:0:0/96`).
    public var isIPv4: Bool { bits >= 96 && address.isIPv4 }

    /// The prefix length in the network's own family: 0...32 for IPv4, 0...128 for IPv6.
    public var prefixLength: Int { isIPv4 ? bits - 96 : bits }

    /// The last address in the network.
    public var last: IPAddress { IPAddress(value: address.value | ~Self.mask(bits)) }

    public func contains(_ ip: IPAddress) -> Bool { ip.value & Self.mask(bits) == address.value }

    /// True when `other` lies entirely inside this network.
    public func contains(_ other: IPNetwork) -> Bool { other.bits >= bits && contains(other.address) }

    public static func < (lhs: IPNetwork, rhs: IPNetwork) -> Bool {
        (lhs.address, lhs.bits) < (rhs.address, rhs.bits)
    }

    /// Parses `a.b.c.d/n` or `ipv6/n`; nil when the text is not one. A bare address is a one-address
    /// network (`/32` or `/128`). With `strict`, set host bits are refused (`10.0.0.1/8`); without, cleared.
    public init?(_ text: some StringProtocol, strict: Bool = true) {
        guard let parsed = try? IPNetwork(parsing: text, strict: strict) else { return nil }
        self = parsed
    }

    /// Parses a CIDR network, throwing an error that names the bad text.
    public init(parsing text: some StringProtocol, strict: Bool = true) throws(IntelError) {
        var copy = String(text)
        let result = copy.withUTF8 { Self.parse($0, strict: strict) }
        switch result {
        case .success(let network): self = network
        case .failure(let why): throw IntelError(kind: .badNetwork, message: "\(why.message): \"\(text)\"")
        }
    }

    struct ParseFailure: Error {
        var message: String
    }

    /// Parses a network from UTF-8 bytes; the failure says why (without the text).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, strict: Bool) -> Result<IPNetwork, ParseFailure> {
        var slash = -1
        var hasColon = false
        for i in 0..<bytes.count {
            if bytes[i] == UInt8(ascii: "/") {
                slash = i
                break
            }
            if bytes[i] == UInt8(ascii: ":") { hasColon = true }
        }
        let addressBytes = UnsafeBufferPointer(rebasing: bytes[0..<(slash < 0 ? bytes.count : slash)])
        guard let address = IPAddress.parse(addressBytes) else {
            return .failure(ParseFailure(message: "not a CIDR network (bad address)"))
        }
        let familyBits = address.isIPv4 && !hasColon ? 32 : 128
        var length = familyBits
        if slash >= 0 {
            let digits = bytes.count - slash - 1
            var n = 0
            var valid = (1...3).contains(digits) && !(digits > 1 && bytes[slash + 1] == UInt8(ascii: "0"))
            for i in (slash + 1)..<bytes.count where valid {
                let d = bytes[i] &- UInt8(ascii: "0")
                if d > 9 { valid = false } else { n = n * 10 + Int(d) }
            }
            guard valid, n <= familyBits else {
                return .failure(ParseFailure(message: "not a CIDR network (prefix length must be 0...\(familyBits))"))
            }
            length = n
        }
        let bits = familyBits == 32 ? length + 96 : length
        if strict, address.value & ~Self.mask(bits) != 0 {
            return .failure(
                ParseFailure(message: "host bits are set (did you mean \(IPNetwork(address: address, bits: bits))?)")
            )
        }
        return .success(IPNetwork(address: address, bits: bits))
    }

    /// `10.0.0.0/8`, `2001:db8::/32`.
    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPAddress {
    /// The network this address is grouped in: its `/24` for IPv4, its `/48` for IPv6. Cheap (a mask).
    ///
    /// ```swift
    /// IPAddress("203.0.113.77")!.groupingNetwork  // 203.0.113.0/24
    /// IPAddress("2001:db8:1:2::1")!.groupingNetwork  // 2001:db8:1::/48
    /// ```
    public var groupingNetwork: IPNetwork {
        IPNetwork(address: self, bits: isIPv4 ? 120 : 48)
    }

    /// ``groupingNetwork``'s first address as a number: a cheap dictionary key for grouping.
    @inlinable public var groupingKey: UInt128 {
        value & (isIPv4 ? ~UInt128(0) << 8 : ~UInt128(0) << 80)
    }
}
