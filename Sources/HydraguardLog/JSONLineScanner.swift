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
        i = start - 1
        let key = try readStringBytes()
        i = saved
        return key.withUnsafeBytes { match($0) }
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

    /// Reads a string value of field `field`.
    @inlinable
    public mutating func readString(field: String) throws(LineError) -> String {
        guard i < count, base[i] == 0x22 else { throw wrongType(field, expected: "a string", found: try peekKind()) }
        i += 1
        let start = i
        while i < count {
            let c = base[i]
            if c == 0x22 {
                let s = String(decoding: UnsafeBufferPointer(start: base + start, count: i - start), as: UTF8.self)
                i += 1
                return s
            }
            if c == 0x5C { break }
            i += 1
        }
        i = start - 1
        let bytes = try readStringBytes()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a string or null.
    @inlinable
    public mutating func readOptionalString(field: String) throws(LineError) -> String? {
        if consumeNull() { return nil }
        return try readString(field: field)
    }

    /// Decodes a string with escapes into the scratch buffer (the cursor is on the opening quote).
    @usableFromInline
    mutating func readStringBytes() throws(LineError) -> [UInt8] {
        i += 1
        scratch.removeAll(keepingCapacity: true)
        while i < count {
            let c = base[i]
            if c == 0x22 {
                i += 1
                return scratch
            }
            if c != 0x5C {
                scratch.append(c)
                i += 1
                continue
            }
            guard i + 1 < count else { break }
            let e = base[i + 1]
            i += 2
            switch e {
            case 0x22: scratch.append(0x22)
            case 0x5C: scratch.append(0x5C)
            case 0x2F: scratch.append(0x2F)
            case 0x62: scratch.append(0x08)
            case 0x66: scratch.append(0x0C)
            case 0x6E: scratch.append(0x0A)
            case 0x72: scratch.append(0x0D)
            case 0x74: scratch.append(0x09)
            case 0x75:
                var scalar = try readHex4()
                if scalar >= 0xD800, scalar < 0xDC00 {
                    // A high surrogate: a low one should follow.
                    if i + 1 < count, base[i] == 0x5C, base[i + 1] == 0x75 {
                        i += 2
                        let low = try readHex4()
                        if low >= 0xDC00, low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            appendUTF8(0xFFFD)
                            scalar = low
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00, scalar < 0xE000 {
                    scalar = 0xFFFD
                }
                appendUTF8(scalar)
            default:
                throw broken("invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
        throw broken("unterminated string")
    }

    @usableFromInline
    mutating func readHex4() throws(LineError) -> UInt32 {
        guard i + 4 <= count else { throw broken("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = base[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw broken("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    @usableFromInline
    mutating func appendUTF8(_ v: UInt32) {
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (v >> 6)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (v >> 12)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (v >> 18)))
            scratch.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
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
        while i < count {
            let c = base[i]
            if c == 0x22 {
                i += 1
                return
            }
            i += c == 0x5C ? 2 : 1
        }
        throw broken("unterminated string")
    }

    /// Checks that nothing but white space follows the object.
    public mutating func end() throws(LineError) {
        skipWhitespace()
        guard i == count else { throw broken("unexpected text after the object") }
    }
}

/// Maps a record's field names to small integers, bucketed by length, for the scanner's `nextKey`.
public struct FieldTable: Sendable {
    private let buckets: [[(bytes: [UInt8], index: Int)]]

    public init(_ names: [String]) {
        var buckets = [[(bytes: [UInt8], index: Int)]](repeating: [], count: 33)
        for (index, name) in names.enumerated() {
            let bytes = Array(name.utf8)
            precondition(bytes.count < 33)
            buckets[bytes.count].append((bytes, index))
        }
        self.buckets = buckets
    }

    /// The index of the field named by `key`, or -1 for a field this record does not know.
    @inlinable
    public func index(of key: UnsafeRawBufferPointer) -> Int { lookup(key) }

    @usableFromInline
    func lookup(_ key: UnsafeRawBufferPointer) -> Int {
        guard key.count < buckets.count else { return -1 }
        for candidate in buckets[key.count] {
            let same = candidate.bytes.withUnsafeBytes { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
            if same { return candidate.index }
        }
        return -1
    }
}
