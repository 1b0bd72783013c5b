/// A byte buffer that JSON is written into, with the escaping JSON needs and nothing more.
///
/// Optional fields that are nil are left out (the format allows it, and the files are smaller)
/// unless `keepNull` asks for an explicit `null`.
public struct JSONOutput: Sendable {
    public var bytes: [UInt8]
    @usableFromInline var needsComma = false

    public init(capacity: Int = 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    public mutating func beginObject() {
        bytes.append(0x7B)
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(0x7D)
        needsComma = true
    }

    @usableFromInline
    mutating func key(_ name: StaticString) {
        if needsComma { bytes.append(0x2C) }
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(0x22)
        bytes.append(0x3A)
        needsComma = true
    }

    public mutating func field(_ name: StaticString, _ value: String?, keepNull: Bool = false) {
        guard let value else {
            if keepNull {
                key(name)
                bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            }
            return
        }
        key(name)
        appendString(value)
    }

    public mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        appendInt(value)
    }

    public mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    public mutating func field(_ name: StaticString, _ value: Timestamp?) {
        guard let value else { return }
        key(name)
        bytes.append(0x22)
        value.appendRFC3339(to: &bytes)
        bytes.append(0x22)
    }

    public mutating func appendInt(_ value: Int) {
        if value == 0 {
            bytes.append(0x30)
            return
        }
        var v = value.magnitude
        if value < 0 { bytes.append(0x2D) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 {
                d[n] = UInt8(48 + v % 10)
                v /= 10
                n += 1
            }
            while n > 0 {
                n -= 1
                bytes.append(d[n])
            }
        }
    }

    /// Appends a quoted, escaped JSON string.
    public mutating func appendString(_ value: String) {
        bytes.append(0x22)
        var value = value
        value.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let count = utf8.count
            var runStart = 0
            var index = JSONOutput.firstToEscape(base, from: 0, count: count)
            while index < count {
                if index > runStart { bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: index - runStart)) }
                let c = base[index]
                switch c {
                case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
                case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
                case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
                default:
                    let hex: StaticString = "0123456789abcdef"
                    let digits = hex.utf8Start
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, digits[Int(c >> 4)], digits[Int(c & 0xF)]])
                }
                runStart = index + 1
                index = JSONOutput.firstToEscape(base, from: runStart, count: count)
            }
            if count > runStart { bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart)) }
        }
        bytes.append(0x22)
    }

    /// The first byte at or after `from` that JSON needs escaped (`"`, `\`, or below 0x20), or `count`;
    /// eight bytes at a time, like the scanner's search for quotes.
    @inline(__always)
    static func firstToEscape(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var j = start
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while j &+ 8 <= count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let q = word ^ 0x2222_2222_2222_2222
            let b = word ^ 0x5C5C_5C5C_5C5C_5C5C
            let control = (word &- 0x2020_2020_2020_2020) & ~word
            let flags = (((q &- ones) & ~q) | ((b &- ones) & ~b) | control) & highs
            if flags != 0 { return j &+ (flags.trailingZeroBitCount >> 3) }
            j &+= 8
        }
        while j < count {
            let c = base[j]
            if c < 0x20 || c == 0x22 || c == 0x5C { return j }
            j &+= 1
        }
        return count
    }
}
