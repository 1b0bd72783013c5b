#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only JSON scanner over one line, made for the usage-log's flat objects.
///
/// It never builds a tree: a record's decoder asks for its fields one by one and skips the rest,
/// which is what makes a 30-million-line audit I/O-bound instead of parser-bound. Strings without
/// escapes are turned into `String`s straight from the line's bytes.
public struct JSONLineScanner: ~Copyable {
    @usableFromInline let base: UnsafePointer<UInt8>
    @usableFromInline let count: Int
    @usableFromInline var i: Int = 0
    /// Holds the decoded bytes of a string with escapes; reused across lines by the reader.
    @usableFromInline var scratch: [UInt8]

    public init(_ buffer: UnsafeRawBufferPointer, scratch: [UInt8] = []) {
        // An empty buffer may have no address; nothing is ever read through it then.
        self.base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        self.count = buffer.count
        self.scratch = scratch
    }

    /// Hands the scratch buffer back so the next line can reuse its storage.
    public consuming func takeScratch() -> [UInt8] { scratch }

    /// The JSON type of the next value.
    public enum ValueKind: Sendable, CustomStringConvertible {
        case string, number, bool, null, object, array

        public var description: String {
            switch self {
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            case .object: "an object"
            case .array: "an array"
            }
        }
    }

    @inlinable @inline(__always)
    mutating func skipWhitespace() {
        while i < count {
            let c = base[i]
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { i += 1 } else { break }
        }
    }

    @usableFromInline
    func broken(_ message: String) -> LineError {
        LineError(.brokenLine, field: nil, "\(message) at column \(i + 1)")
    }

    /// Consumes the opening brace of the line's object.
    public mutating func beginObject() throws(LineError) {
        skipWhitespace()
        guard i < count else { throw LineError(.brokenLine, field: nil, "empty line") }
        guard base[i] == 0x7B else { throw broken("expected a JSON object") }
        i += 1
        first = true
    }

    @usableFromInline var first = true

    /// Reads the next key and its colon, giving the key's bytes to `match`; nil at the end of the object.
    @inlinable
    public mutating func nextKey(_ match: (UnsafeRawBufferPointer) -> Int) throws(LineError) -> Int? {
        skipWhitespace()
        guard i < count else { throw broken("unterminated object") }
        if base[i] == 0x7D {
            i += 1
            return nil
        }
        if !first {
            guard base[i] == 0x2C else { throw broken("expected ',' or '}'") }
            i += 1
            skipWhitespace()
        }
        first = false
        guard i < count, base[i] == 0x22 else { throw broken("expected a key") }
        i += 1
        let start = i
        var escaped = false
        while i < count {
            let c = base[i]
            if c == 0x22 { break }
            if c == 0x5C {
                escaped = true
                i += 2
                continue
            }
            i += 1
        }
        guard i < count else { throw broken("unterminated key") }
        let keyEnd = i
        i += 1
        skipWhitespace()
        guard i < count, base[i] == 0x3A else { throw broken("expected ':' after a key") }
        i += 1
        skipWhitespace()
        if !escaped {
            return match(UnsafeRawBufferPointer(start: base + start, count: keyEnd - start))
        }
        // Rare: a key written with escapes. Decode it, then match.
        let saved = i
        let length = try unescape(contentStart: start, firstSpecial: findQuoteOrBackslash(from: start))
        i = saved
        return scratch.withUnsafeBytes { match(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// The kind of the value at the cursor.
    @inlinable
    public func peekKind() throws(LineError) -> ValueKind {
        guard i < count else { throw broken("expected a value") }
        switch base[i] {
        case 0x22: return .string
        case 0x7B: return .object
        case 0x5B: return .array
        case 0x74, 0x66: return try literal(base[i] == 0x74 ? "true" : "false", .bool)
        case 0x6E: return try literal("null", .null)
        case 0x2D, 0x30...0x39: return .number
        default: throw broken("unexpected character")
        }
    }

    /// Checks that the literal `word` is at the cursor (so `tru` is a broken line, not a wrong type).
    @usableFromInline
    func literal(_ word: StaticString, _ kind: ValueKind) throws(LineError) -> ValueKind {
        let n = word.utf8CodeUnitCount
        guard i + n <= count, memcmp(base + i, word.utf8Start, n) == 0 else { throw broken("invalid literal") }
        return kind
    }

    @usableFromInline
    func wrongType(_ field: String, expected: String, found: ValueKind) -> LineError {
        LineError(.wrongType, field: field, "expected \(expected), found \(found)")
    }

    /// Consumes `null` if it is next.
    @inlinable
    public mutating func consumeNull() -> Bool {
        if i + 4 <= count, base[i] == 0x6E, base[i + 1] == 0x75, base[i + 2] == 0x6C, base[i + 3] == 0x6C {
            i += 4
            return true
        }
        return false
    }

    // MARK: strings

    /// The index of the first `"` or `\` at or after `from`, or `count` when there is none.
    ///
    /// Eight bytes at a time: a byte equal to `c` is a zero byte of `word ^ c...c`, and the classic
    /// "has a zero byte" test flags it. Flags can be wrong only above a real match, so the lowest flag is
    /// the first match (little-endian loads).
    @inlinable @inline(__always)
    func findQuoteOrBackslash(from start: Int) -> Int {
        Self.findQuoteOrBackslash(base, from: start, count: count)
    }

    @inlinable @inline(__always)
    static func findQuoteOrBackslash(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        var j = start
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while j &+ 8 <= count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            let q = word ^ 0x2222_2222_2222_2222
            let b = word ^ 0x5C5C_5C5C_5C5C_5C5C
            let flags = (((q &- ones) & ~q) | ((b &- ones) & ~b)) & highs
            if flags != 0 { return j &+ (flags.trailingZeroBitCount >> 3) }
            j &+= 8
        }
        while j < count {
            let c = base[j]
            if c == 0x22 || c == 0x5C { return j }
            j &+= 1
        }
        return count
    }

    /// Reads a string value of field `field`.
    @inlinable
    public mutating func readString(field: String) throws(LineError) -> String {
        guard i < count, base[i] == 0x22 else { throw wrongType(field, expected: "a string", found: try peekKind()) }
        let start = i &+ 1
        let j = findQuoteOrBackslash(from: start)
        if j < count, base[j] == 0x22 {
            i = j &+ 1
            return UTF8String.make(base + start, count: j &- start)
        }
        return try readEscapedString(contentStart: start, firstSpecial: j)
    }

    /// Reads a string or null.
    @inlinable
    public mutating func readOptionalString(field: String) throws(LineError) -> String? {
        if consumeNull() { return nil }
        return try readString(field: field)
    }

    /// The slow path of ``readString(field:)``: the string has escapes.
    @usableFromInline
    mutating func readEscapedString(contentStart: Int, firstSpecial: Int) throws(LineError) -> String {
        let length = try unescape(contentStart: contentStart, firstSpecial: firstSpecial)
        return scratch.withUnsafeBufferPointer { UTF8String.make($0.baseAddress!, count: length) }
    }

    /// Decodes the string whose text starts at `contentStart` into `scratch[0..<length]`, leaving the
    /// cursor after its closing quote. `firstSpecial` is the first `"` or `\` at or after `contentStart`.
    ///
    /// A decoded string is never longer than its JSON text, so `scratch` is sized once to the rest of the
    /// line and written through a pointer.
    @usableFromInline
    mutating func unescape(contentStart: Int, firstSpecial: Int) throws(LineError) -> Int {
        let rest = count - contentStart
        if scratch.count < rest { scratch = [UInt8](repeating: 0, count: max(rest, 2 * scratch.count, 256)) }
        let (base, count) = (self.base, self.count)
        let outcome = scratch.withUnsafeMutableBufferPointer { out in
            Self.unescape(base, count: count, from: contentStart, firstSpecial: firstSpecial, into: out.baseAddress!)
        }
        switch outcome {
        case .done(let end, let length):
            i = end
            return length
        case .failed(let at, let message):
            i = at
            throw broken(message)
        }
    }

    @usableFromInline
    enum UnescapeOutcome {
        case done(end: Int, length: Int)
        case failed(at: Int, message: String)
    }

    @usableFromInline
    static func unescape(
        _ src: UnsafePointer<UInt8>, count: Int, from start: Int, firstSpecial: Int, into dst: UnsafeMutablePointer<UInt8>
    ) -> UnescapeOutcome {
        var r = start
        var w = 0
        var special = firstSpecial
        @inline(__always) func put(_ byte: UInt8) {
            dst[w] = byte
            w &+= 1
        }
        @inline(__always) func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= count else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = src[k]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c &- 0x30
                case 0x41...0x46: d = c &- 0x41 &+ 10
                case 0x61...0x66: d = c &- 0x61 &+ 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while true {
            if special > r {
                (dst + w).update(from: src + r, count: special &- r)
                w &+= special &- r
                r = special
            }
            guard r < count else { return .failed(at: r, message: "unterminated string") }
            if src[r] == 0x22 { return .done(end: r &+ 1, length: w) }
            guard r &+ 1 < count else { return .failed(at: r, message: "unterminated string") }
            let e = src[r &+ 1]
            switch e {
            case 0x22, 0x5C, 0x2F: put(e)
            case 0x62: put(0x08)
            case 0x66: put(0x0C)
            case 0x6E: put(0x0A)
            case 0x72: put(0x0D)
            case 0x74: put(0x09)
            case 0x75:
                guard var scalar = hex4(r &+ 2) else { return .failed(at: r, message: "invalid \\u escape") }
                r &+= 4
                if scalar >= 0xD800, scalar < 0xDC00 {
                    // A high surrogate: a low one should follow.
                    if r &+ 3 < count, src[r &+ 2] == 0x5C, src[r &+ 3] == 0x75 {
                        guard let low = hex4(r &+ 4) else { return .failed(at: r &+ 2, message: "invalid \\u escape") }
                        r &+= 6
                        if low >= 0xDC00, low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            w = appendUTF8(0xFFFD, dst, w)
                            scalar = low >= 0xD800 && low < 0xE000 ? 0xFFFD : low
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00, scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                w = appendUTF8(scalar, dst, w)
            default:
                return .failed(at: r, message: "invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
            r &+= 2
            special = findQuoteOrBackslash(src, from: r, count: count)
        }
    }

    /// Writes `v` as UTF-8 at `dst[w...]` (never more bytes than its `\uXXXX` text took).
    @usableFromInline @inline(__always)
    static func appendUTF8(_ v: UInt32, _ dst: UnsafeMutablePointer<UInt8>, _ w: Int) -> Int {
        switch v {
        case 0..<0x80:
            dst[w] = UInt8(v)
            return w + 1
        case 0x80..<0x800:
            dst[w] = UInt8(0xC0 | (v >> 6))
            dst[w + 1] = UInt8(0x80 | (v & 0x3F))
            return w + 2
        case 0x800..<0x10000:
            dst[w] = UInt8(0xE0 | (v >> 12))
            dst[w + 1] = UInt8(0x80 | ((v >> 6) & 0x3F))
            dst[w + 2] = UInt8(0x80 | (v & 0x3F))
            return w + 3
        default:
            dst[w] = UInt8(0xF0 | (v >> 18))
            dst[w + 1] = UInt8(0x80 | ((v >> 12) & 0x3F))
            dst[w + 2] = UInt8(0x80 | ((v >> 6) & 0x3F))
            dst[w + 3] = UInt8(0x80 | (v & 0x3F))
            return w + 4
        }
    }

    // MARK: numbers and booleans

    /// Reads an integer (no fraction, no exponent).
    @inlinable
    public mutating func readInt(field: String) throws(LineError) -> Int {
        guard i < count else { throw broken("expected a value") }
        var negative = false
        if base[i] == 0x2D {
            negative = true
            i += 1
        }
        let start = i
        var v = 0
        while i < count {
            let c = base[i]
            guard c >= 0x30, c <= 0x39 else { break }
            v = v &* 10 &+ Int(c &- 0x30)
            i += 1
        }
        let digits = i - start
        if digits == 0 {
            if negative { throw broken("invalid number") }
            throw wrongType(field, expected: "an integer", found: try peekKind())
        }
        if i < count, base[i] == 0x2E || base[i] == 0x65 || base[i] == 0x45 {
            // A fraction or exponent: accept it only when the value is still a whole number (1.0, 1e3).
            let numberStart = negative ? start - 1 : start
            while i < count, let c = Optional(base[i]), c == 0x2E || c == 0x65 || c == 0x45 || c == 0x2B || c == 0x2D
                || (c >= 0x30 && c <= 0x39)
            {
                i += 1
            }
            let text = String(decoding: UnsafeBufferPointer(start: base + numberStart, count: i - numberStart), as: UTF8.self)
            guard let d = Double(text), d.rounded() == d, abs(d) < 9.0e15 else {
                throw LineError(.wrongType, field: field, "expected an integer, found \(text)")
            }
            return Int(d)
        }
        guard digits <= 18 else { throw LineError(.badValue, field: field, "integer out of range") }
        return negative ? -v : v
    }

    @inlinable
    public mutating func readOptionalInt(field: String) throws(LineError) -> Int? {
        if consumeNull() { return nil }
        return try readInt(field: field)
    }

    @inlinable
    public mutating func readBool(field: String) throws(LineError) -> Bool {
        if i + 4 <= count, base[i] == 0x74, base[i + 1] == 0x72, base[i + 2] == 0x75, base[i + 3] == 0x65 {
            i += 4
            return true
        }
        if i + 5 <= count, base[i] == 0x66, base[i + 1] == 0x61, base[i + 2] == 0x6C, base[i + 3] == 0x73,
            base[i + 4] == 0x65
        {
            i += 5
            return false
        }
        throw wrongType(field, expected: "a boolean", found: try peekKind())
    }

    @inlinable
    public mutating func readOptionalBool(field: String) throws(LineError) -> Bool? {
        if consumeNull() { return nil }
        return try readBool(field: field)
    }

    /// Reads an RFC 3339 timestamp string.
    @inlinable
    public mutating func readTimestamp(field: String) throws(LineError) -> Timestamp {
        guard i < count, base[i] == 0x22 else { throw wrongType(field, expected: "an RFC 3339 string", found: try peekKind()) }
        let start = i + 1
        var j = start
        while j < count, base[j] != 0x22, base[j] != 0x5C { j += 1 }
        if j < count, base[j] == 0x22 {
            i = j + 1
            if let ts = Timestamp.parse(UnsafeRawBufferPointer(start: base + start, count: j - start)) { return ts }
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: min(j - start, 40)), as: UTF8.self)
            throw LineError(.badTimestamp, field: field, "\"\(text)\" is not RFC 3339 (e.g. 2026-04-22T10:15:03.123Z)")
        }
        let text = try readString(field: field)
        if let ts = Timestamp(rfc3339: text) { return ts }
        throw LineError(.badTimestamp, field: field, "\"\(text.prefix(40))\" is not RFC 3339 (e.g. 2026-04-22T10:15:03.123Z)")
    }

    // MARK: skipping

    /// Skips one value of any type (an unknown field).
    public mutating func skipValue() throws(LineError) {
        switch try peekKind() {
        case .string:
            try skipString()
        case .number:
            i += 1
            while i < count {
                let c = base[i]
                if (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x65 || c == 0x45 || c == 0x2B || c == 0x2D {
                    i += 1
                } else {
                    break
                }
            }
        case .bool:
            _ = try readBool(field: "")
        case .null:
            guard consumeNull() else { throw broken("invalid literal") }
        case .object, .array:
            var depth = 0
            while i < count {
                let c = base[i]
                if c == 0x22 {
                    try skipString()
                    continue
                }
                if c == 0x7B || c == 0x5B {
                    depth += 1
                } else if c == 0x7D || c == 0x5D {
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        return
                    }
                }
                i += 1
            }
            throw broken("unterminated value")
        }
    }

    @usableFromInline
    mutating func skipString() throws(LineError) {
        i += 1
        while true {
            let j = findQuoteOrBackslash(from: i)
            guard j < count else {
                i = count
                throw broken("unterminated string")
            }
            if base[j] == 0x22 {
                i = j + 1
                return
            }
            i = j + 2
        }
    }

    /// Checks that nothing but white space follows the object.
    public mutating func end() throws(LineError) {
        skipWhitespace()
        guard i == count else { throw broken("unexpected text after the object") }
    }
}

/// Maps a record's field names to small integers for the scanner's `nextKey`.
///
/// Names are grouped by length, each kept as four little-endian words (zero-padded to 32 bytes), in
/// flat arrays of plain integers: a key is compared a word at a time, with no reference counting.
public struct FieldTable: Sendable {
    /// Four words per name, names sorted by length; names of length `n` are entries `starts[n]..<starts[n + 1]`.
    @usableFromInline let words: [UInt64]
    @usableFromInline let indices: [Int]
    @usableFromInline let starts: [Int]

    public init(_ names: [String]) {
        var byLength = [[(words: [UInt64], index: Int)]](repeating: [], count: 33)
        for (index, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            precondition(bytes.count < 33, "field names are at most 32 bytes")
            var words = [UInt64](repeating: 0, count: 4)
            for (k, byte) in bytes.enumerated() { words[k / 8] |= UInt64(byte) << (8 * UInt64(k % 8)) }
            precondition(!byLength[bytes.count].contains { $0.words == words }, "\(name) twice")
            byLength[bytes.count].append((words, index))
        }
        var starts = [0]
        for bucket in byLength { starts.append(starts.last! + bucket.count) }
        self.words = byLength.flatMap { $0.flatMap(\.words) }
        self.indices = byLength.flatMap { $0.map(\.index) }
        self.starts = starts
    }

    /// The index of the field named by `key`, or -1 for a field this record does not know.
    @inlinable
    public func index(of key: UnsafeRawBufferPointer) -> Int { lookup(key) }

    /// Bytes `offset..<offset+8` of the key as a little-endian word, zero-padded past its end.
    @inlinable @inline(__always)
    static func word(_ base: UnsafeRawPointer, _ n: Int, _ offset: Int) -> UInt64 {
        if offset &+ 8 <= n { return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        var w: UInt64 = 0
        var k = offset
        while k < n {
            w |= UInt64(base.load(fromByteOffset: k, as: UInt8.self)) << (8 &* UInt64(k &- offset))
            k &+= 1
        }
        return w
    }

    @inlinable
    func lookup(_ key: UnsafeRawBufferPointer) -> Int {
        let n = key.count
        guard n < 33, n > 0 else { return -1 }
        return starts.withUnsafeBufferPointer { starts in
            let lower = starts[n]
            let upper = starts[n &+ 1]
            guard lower < upper else { return -1 }
            let base = key.baseAddress!
            let first = Self.word(base, n, 0)
            return words.withUnsafeBufferPointer { words in
                candidates: for k in lower..<upper where words[4 &* k] == first {
                    var offset = 8
                    while offset < n {
                        if words[4 &* k &+ offset >> 3] != Self.word(base, n, offset) { continue candidates }
                        offset &+= 8
                    }
                    return indices.withUnsafeBufferPointer { $0[k] }
                }
                return -1
            }
        }
    }
}
