/// A JSON document as the gateway reads and rewrites request bodies: objects keep their keys in order,
/// numbers keep their text (so a rewritten body says exactly what the client wrote), and parsing makes no
/// Foundation objects. Strict RFC 8259: one value, no trailing commas, no comments, valid UTF-8, nesting
/// at most ``JSONValue/maxDepth`` deep.
///
/// ```swift
/// var body = try JSONValue.parse(Array(#"{"model":"m","max_tokens":10}"#.utf8))
/// body["max_tokens"] = .number("5")
/// body.serialized()   // {"model":"m","max_tokens":5}
/// ```
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text, checked against JSON's grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    static let maxDepth = 256

    struct SyntaxError: Error, Equatable {
        /// Byte offset where the document stopped being JSON.
        var offset: Int
    }

    /// Parses a whole document.
    static func parse(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> JSONValue {
        let result: Result<JSONValue, SyntaxError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(SyntaxError) in try parser.document() }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(SyntaxError) in
            var parser = JSONParser(buffer)
            return try parser.document()
        }
    }

    subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let object) = self else { return nil }
            return object[key]
        }
        set {
            guard case .object(var object) = self else { return }
            object[key] = newValue
            self = .object(object)
        }
    }

    var isNull: Bool { self == .null }

    var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The number as a Double (any JSON number).
    var doubleValue: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    /// The number as an Int when it is whole (`12`, `12.0`, `1.2e1`), clamped to Int's range.
    var wholeNumber: Int? {
        // Integers as written (the common case) without going through Double.
        if case .number(let text) = self, let n = Int(text) { return n }
        guard let d = doubleValue, d.isFinite, d == d.rounded() else { return nil }
        if d >= 9.2e18 { return .max }
        if d <= -9.2e18 { return .min }
        return Int(d)
    }

    /// The JSON text, compact.
    func serialized() -> [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let text): out.append(contentsOf: text.utf8)
        case .string(let s): Self.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in object.entries.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(entry.key, to: &out)
                out.append(UInt8(ascii: ":"))
                entry.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        let hex = Array("0123456789abcdef".utf8)
        for c in s.utf8 {
            switch c {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
            default: out.append(c)
            }
        }
        out.append(0x22)
    }
}

/// A JSON object's members in document order. A key given twice reads as its last value, as most
/// parsers do.
struct JSONObject: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var key: String
        var value: JSONValue
    }

    var entries: [Entry] = []

    var count: Int { entries.count }

    subscript(key: String) -> JSONValue? {
        get { entries.last { $0.key == key }?.value }
        set {
            if let newValue {
                if let i = entries.lastIndex(where: { $0.key == key }) {
                    entries[i].value = newValue
                } else {
                    entries.append(Entry(key: key, value: newValue))
                }
            } else {
                entries.removeAll { $0.key == key }
            }
        }
    }
}

/// The parser behind ``JSONValue/parse(_:)``: recursive descent over the bytes.
private struct JSONParser {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func document() throws(JSONValue.SyntaxError) -> JSONValue {
        let value = try self.value()
        skipSpace()
        guard i == b.count else { throw fail() }
        return value
    }

    func fail() -> JSONValue.SyntaxError { JSONValue.SyntaxError(offset: i) }

    mutating func skipSpace() {
        while i < b.count {
            let c = b[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    mutating func value() throws(JSONValue.SyntaxError) -> JSONValue {
        skipSpace()
        guard i < b.count else { throw fail() }
        switch b[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case 0x22: return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail()
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONValue.SyntaxError) {
        let n = word.utf8CodeUnitCount
        guard b.count - i >= n else { throw fail() }
        for k in 0..<n where b[i + k] != word.utf8Start[k] { throw fail() }
        i += n
    }

    mutating func enter() throws(JSONValue.SyntaxError) {
        depth += 1
        guard depth <= JSONValue.maxDepth else { throw fail() }
    }

    mutating func object() throws(JSONValue.SyntaxError) -> JSONValue {
        try enter()
        i += 1  // {
        var object = JSONObject()
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            depth -= 1
            return .object(object)
        }
        object.entries.reserveCapacity(8)  // one allocation for the usual request object, not four
        while true {
            skipSpace()
            guard i < b.count, b[i] == 0x22 else { throw fail() }
            let key = try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail() }
            i += 1
            let value = try self.value()
            object.entries.append(JSONObject.Entry(key: key, value: value))
            skipSpace()
            guard i < b.count else { throw fail() }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "}") else { throw fail() }
            i += 1
            depth -= 1
            return .object(object)
        }
    }

    mutating func array() throws(JSONValue.SyntaxError) -> JSONValue {
        try enter()
        i += 1  // [
        var items: [JSONValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            depth -= 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipSpace()
            guard i < b.count else { throw fail() }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard b[i] == UInt8(ascii: "]") else { throw fail() }
            i += 1
            depth -= 1
            return .array(items)
        }
    }

    mutating func string() throws(JSONValue.SyntaxError) -> String {
        i += 1  // opening quote
        let start = i
        // Fast path: no escape before the closing quote.
        var high: UInt8 = 0  // every byte's bits or-ed: below 0x80 when the string is ASCII
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                let slice = UnsafeBufferPointer(rebasing: b[start..<i])
                // ASCII is valid UTF-8 as it is, and `String(decoding:as:)` takes it without the cost of the
                // generic validating initialiser (1.6% of the gateway's samples in a profile; most strings
                // are ASCII).
                let s: String
                if high < 0x80 {
                    s = String(decoding: slice, as: UTF8.self)
                } else {
                    guard let valid = String(validating: slice, as: UTF8.self) else { throw JSONValue.SyntaxError(offset: start) }
                    s = valid
                }
                i += 1
                return s
            }
            if c == 0x5C { break }
            guard c >= 0x20 else { throw fail() }
            high |= c
            i += 1
        }
        guard i < b.count else { throw fail() }
        // Slow path: unescape into bytes.
        var bytes = Array(UnsafeBufferPointer(rebasing: b[start..<i]))
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                i += 1
                guard let s = String(validating: bytes, as: UTF8.self) else { throw JSONValue.SyntaxError(offset: start) }
                return s
            }
            guard c >= 0x20 else { throw fail() }
            if c != 0x5C {
                bytes.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < b.count else { throw fail() }
            let e = b[i]
            i += 1
            switch e {
            case 0x22, 0x5C, 0x2F: bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate: a low one must follow, else the pair is broken (U+FFFD).
                    if b.count - i >= 6, b[i] == 0x5C, b[i + 1] == UInt8(ascii: "u") {
                        let save = i
                        i += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            i = save
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                bytes.append(contentsOf: String(Character(unicode)).utf8)
            default:
                throw JSONValue.SyntaxError(offset: i - 1)
            }
        }
        throw fail()
    }

    mutating func hex4() throws(JSONValue.SyntaxError) -> UInt32 {
        guard b.count - i >= 4 else { throw fail() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail()
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    mutating func number() throws(JSONValue.SyntaxError) -> String {
        let start = i
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, isDigit(b[i]) else { throw fail() }
        if b[i] == 0x30 {
            i += 1
        } else {
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard i < b.count, isDigit(b[i]) else { throw fail() }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            guard i < b.count, isDigit(b[i]) else { throw fail() }
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    }
}
