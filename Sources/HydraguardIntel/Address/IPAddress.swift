/// An IPv4 or IPv6 address in one 128-bit space: IPv4 `a.b.c.d` is stored as the IPv4-mapped IPv6
/// address `::ffff:a.b.c.d`, so that both families sort, compare and share lookup tables.
///
/// ```swift
/// let a = try IPAddress(parsing: "8.8.8.8")
/// a.isIPv4            // true
/// a.description       // "8.8.8.8"
/// let b = IPAddress("2001:DB8::1")!
/// b.description       // "2001:db8::1"
/// IPAddress("::ffff:8.8.8.8") == a  // true: the mapped form is the same address
/// ```
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The address as a 128-bit number (IPv4 as `::ffff:a.b.c.d`).
    public let value: UInt128

    /// The high 96 bits of every IPv4 address in this space (`::ffff:0:0`).
    public static let ipv4Prefix: UInt128 = 0xffff << 32

    public init(value: UInt128) { self.value = value }

    /// An IPv4 address from its 32-bit number (`0x08080808` is `8.8.8.8`).
    public init(ipv4 bits: UInt32) { value = Self.ipv4Prefix | UInt128(bits) }

    /// True for IPv4 addresses (including those written as `::ffff:a.b.c.d`).
    @inlinable public var isIPv4: Bool { value >> 32 == 0xffff }

    /// The 32-bit IPv4 number, for IPv4 addresses.
    public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: value) : nil }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool { lhs.value < rhs.value }

    /// Parses an IPv4 (`192.0.2.1`) or IPv6 (`2001:db8::1`, `::ffff:192.0.2.1`) address; nil when the
    /// text is not one. Leading zeros in IPv4 parts are refused (they are ambiguous: octal or decimal).
    public init?(_ text: some StringProtocol) {
        var text = String(text)
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    /// Parses an address, throwing an error that names the bad text.
    public init(parsing text: some StringProtocol) throws(IntelError) {
        guard let address = IPAddress(text) else {
            throw IntelError(kind: .badAddress, message: "not an IP address: \"\(text)\"")
        }
        self = address
    }

    /// Parses an address from UTF-8 bytes (no allocation).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        if bytes.isEmpty || bytes.count > 45 { return nil }
        // IPv4 when there is no colon.
        var hasColon = false
        for b in bytes where b == UInt8(ascii: ":") {
            hasColon = true
            break
        }
        if !hasColon {
            guard let v4 = parseIPv4(bytes, from: 0, to: bytes.count) else { return nil }
            return IPAddress(ipv4: v4)
        }
        return parseIPv6(bytes)
    }

    static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> UInt32? {
        var result: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        var i = start
        while i <= end {
            if i == end || bytes[i] == UInt8(ascii: ".") {
                guard digits > 0, parts < 4 else { return nil }
                result = result << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else {
                let d = bytes[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                if digits == 1 && part == 0 { return nil }  // leading zero
                part = part * 10 + UInt32(d)
                digits += 1
                guard part <= 255 else { return nil }
            }
            i += 1
        }
        return parts == 4 ? result : nil
    }

    static func hexValue(_ b: UInt8) -> UInt16? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt16(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt16(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt16(b - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        var groups = (UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0))
        return withUnsafeMutableBytes(of: &groups) { raw -> IPAddress? in
            let g = raw.bindMemory(to: UInt16.self)
            var count = 0
            var gap = -1  // index in g where "::" stands
            var i = 0
            let n = bytes.count
            if n >= 2, bytes[0] == UInt8(ascii: ":") {
                guard bytes[1] == UInt8(ascii: ":") else { return nil }
                gap = 0
                i = 2
                if i == n { return IPAddress(value: 0) }
            }
            while i < n {
                // One group, or an embedded IPv4 tail.
                var j = i
                var value: UInt16 = 0
                var sawDot = false
                while j < n, bytes[j] != UInt8(ascii: ":") {
                    if bytes[j] == UInt8(ascii: ".") { sawDot = true }
                    j += 1
                }
                if sawDot {
                    guard j == n, count <= 6, let v4 = parseIPv4(bytes, from: i, to: n) else { return nil }
                    g[count] = UInt16(v4 >> 16)
                    g[count + 1] = UInt16(truncatingIfNeeded: v4)
                    count += 2
                    i = n
                    break
                }
                guard j > i, j - i <= 4, count < 8 else { return nil }
                for k in i..<j {
                    guard let h = hexValue(bytes[k]) else { return nil }
                    value = value << 4 | h
                }
                g[count] = value
                count += 1
                if j == n {
                    i = n
                    break
                }
                // bytes[j] == ":"
                if j + 1 < n, bytes[j + 1] == UInt8(ascii: ":") {
                    guard gap < 0 else { return nil }
                    gap = count
                    i = j + 2
                } else {
                    guard j + 1 < n else { return nil }  // trailing single colon
                    i = j + 1
                }
            }
            if gap >= 0 {
                guard count < 8 else { return nil }
                let tail = count - gap
                let shift = 8 - count
                var k = tail - 1
                while k >= 0 {
                    g[gap + shift + k] = g[gap + k]
                    k -= 1
                }
                for z in gap..<(gap + shift) { g[z] = 0 }
            } else {
                guard count == 8 else { return nil }
            }
            var v: UInt128 = 0
            for k in 0..<8 { v = v << 16 | UInt128(g[k]) }
            return IPAddress(value: v)
        }
    }

    /// The usual text form: dotted quad for IPv4, RFC 5952 for IPv6 (lowercase, longest zero run as `::`).
    public var description: String {
        if let v4 = ipv4 {
            return "\(v4 >> 24).\(v4 >> 16 & 0xff).\(v4 >> 8 & 0xff).\(v4 & 0xff)"
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for k in 0..<8 { groups[k] = UInt16(truncatingIfNeeded: value >> (112 - 16 * k)) }
        var bestStart = -1
        var bestLength = 1
        var k = 0
        while k < 8 {
            if groups[k] == 0 {
                var e = k
                while e < 8, groups[e] == 0 { e += 1 }
                if e - k > bestLength {
                    bestStart = k
                    bestLength = e - k
                }
                k = e
            } else {
                k += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            range.map { String(groups[$0], radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
