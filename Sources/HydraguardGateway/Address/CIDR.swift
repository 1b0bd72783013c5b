#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into `::ffff:0:0/96`), for trusted-proxy checks,
/// allow-lists and per-prefix limits.
public struct GatewayAddress: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64
    public var isIPv4: Bool

    /// Parses `203.0.113.7` or `2001:db8::1` (brackets and an IPv6 zone are not accepted).
    public init?(_ text: some StringProtocol) {
        var s = String(text)
        if s.hasPrefix("::ffff:"), s.contains(".") { s = String(s.dropFirst(7)) }
        var v4 = in_addr()
        if inet_pton(AF_INET, s, &v4) == 1 {
            let value = UInt32(bigEndian: v4.s_addr)
            high = 0
            low = 0xFFFF_0000_0000 | UInt64(value)
            isIPv4 = true
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, s, &v6) == 1 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: &v6) { raw in for i in 0..<16 { bytes[i] = raw[i] } }
        var h: UInt64 = 0
        var l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
        high = h
        low = l
        isIPv4 = false
    }

    /// The address with all but the first `bits` bits cleared (bits counted in its own family).
    public func masked(to bits: Int) -> GatewayAddress {
        let total = isIPv4 ? bits + 96 : bits
        var copy = self
        if total <= 0 {
            copy.high = 0
            copy.low = 0
        } else if total < 64 {
            copy.high &= ~(UInt64.max >> UInt64(total))
            copy.low = 0
        } else if total < 128 {
            copy.low &= ~(UInt64.max >> UInt64(total - 64))
        }
        return copy
    }

    public var description: String {
        if isIPv4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var groups: [String] = []
        for i in 0..<8 {
            let word = i < 4 ? high >> UInt64(48 - 16 * i) : low >> UInt64(48 - 16 * (i - 4))
            groups.append(String(word & 0xFFFF, radix: 16))
        }
        return groups.joined(separator: ":")
    }

    /// The prefix limits count by: /24 for IPv4, /48 for IPv6.
    public var limitPrefix: String {
        isIPv4 ? "\(masked(to: 24))/24" : "\(masked(to: 48))/48"
    }
}

/// An address range such as `10.0.0.0/8` or `2001:db8::/32`.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public var network: GatewayAddress
    public var bits: Int

    /// Parses `a.b.c.d/n`, `v6/n`, or a bare address (a single host).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = GatewayAddress(parts[0]) else { return nil }
        let maxBits = address.isIPv4 ? 32 : 128
        if parts.count == 2 {
            guard let n = Int(parts[1]), (0...maxBits).contains(n) else { return nil }
            bits = n
        } else {
            bits = maxBits
        }
        network = address.masked(to: bits)
    }

    public func contains(_ address: GatewayAddress) -> Bool {
        address.isIPv4 == network.isIPv4 && address.masked(to: bits) == network
    }

    public var description: String { "\(network)/\(bits)" }
}
