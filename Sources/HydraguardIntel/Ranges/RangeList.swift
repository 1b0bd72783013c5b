/// Range lists: CSV files with a header line `cidr,kind,provider` and one range a line (`usage-log.md`,
/// "IP intelligence inputs").
///
/// Columns are found by their header names, so extra columns are ignored and `provider` may be left out.
/// Fields may be quoted (`"Acme, Inc."`, with `""` for a quote). Host bits set in a CIDR are cleared.
///
/// ```swift
/// let entries = try RangeList.read(path: "ranges.csv")
/// let table = RangeTable(entries)
/// table.lookup(IPAddress("3.1.2.3")!)?.kind  // .datacenter
/// try RangeList.write(entries, to: "copy.csv")
/// ```
public enum RangeList {
    /// Reads and validates a range list file; errors name the file, line and field.
    public static func read(path: String) throws(IntelError) -> [RangeEntry] {
        let bytes = try FileIO.read(path)
        return try parse(bytes, file: path)
    }

    /// Parses range list text (`file` names it in errors).
    public static func parse(_ text: String, file: String = "(text)") throws(IntelError) -> [RangeEntry] {
        try parse(Array(text.utf8), file: file)
    }

    /// Parses range list bytes (`file` names it in errors).
    public static func parse(_ bytes: [UInt8], file: String) throws(IntelError) -> [RangeEntry] {
        let result: Result<[RangeEntry], IntelError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(IntelError) {
                return .success(try parse(buffer, file: file))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static let kindNames: [(bytes: [UInt8], kind: NetworkKind)] = NetworkKind.allCases.map {
        (Array($0.rawValue.utf8), $0)
    }

    /// The kind named by `bytes`, ignoring ASCII case.
    static func kind(_ bytes: UnsafeBufferPointer<UInt8>) -> NetworkKind? {
        for (name, kind) in kindNames where name.count == bytes.count {
            var same = true
            for i in 0..<name.count where name[i] != (bytes[i] | 0x20) {
                same = false
                break
            }
            if same { return kind }
        }
        return nil
    }

    /// Parses the lines of a range list. Lines without quotes are split in place; a line with quotes goes
    /// through the full CSV splitter and its fields are re-encoded into a scratch buffer.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, file: String) throws(IntelError) -> [RangeEntry] {
        var entries: [RangeEntry] = []
        entries.reserveCapacity(b.count / 32)
        var columns: (cidr: Int, kind: Int, provider: Int?)?
        var lineNumber = 0
        var start = 0
        var fields: [Range<Int>] = []
        var scratch: [UInt8] = []
        // Skip a UTF-8 byte order mark.
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { start = 3 }
        while start < b.count {
            var end = start
            var quoted = false
            while end < b.count, b[end] != 0x0A {
                if b[end] == UInt8(ascii: "\"") { quoted = true }
                end += 1
            }
            lineNumber += 1
            var stop = end
            if stop > start, b[stop - 1] == 0x0D { stop -= 1 }
            let lineStart = start
            start = end + 1
            if (lineStart..<stop).allSatisfy({ b[$0] == 0x20 || b[$0] == 0x09 }) { continue }
            // Fields as byte ranges, in `b` or (for quoted lines) in `scratch`.
            fields.removeAll(keepingCapacity: true)
            var text = b
            if quoted {
                let strings: [String]
                do throws(IntelError) {
                    strings = try splitCSV(ArraySlice(b[lineStart..<stop]))
                } catch {
                    throw error.located(file: file, line: lineNumber)
                }
                scratch.removeAll(keepingCapacity: true)
                for string in strings {
                    let first = scratch.count
                    scratch += string.utf8
                    fields.append(first..<scratch.count)
                }
            } else {
                var fieldStart = lineStart
                for i in lineStart...stop where i == stop || b[i] == UInt8(ascii: ",") {
                    var low = fieldStart
                    var high = i
                    while low < high, b[low] == 0x20 || b[low] == 0x09 { low += 1 }
                    while high > low, b[high - 1] == 0x20 || b[high - 1] == 0x09 { high -= 1 }
                    fields.append(low..<high)
                    fieldStart = i + 1
                }
            }
            let entry: RangeEntry? = try scratch.withUnsafeBufferPointer { scratchBuffer throws(IntelError) in
                if quoted { text = scratchBuffer }
                func string(_ range: Range<Int>) -> String {
                    String(decoding: UnsafeBufferPointer(rebasing: text[range]), as: UTF8.self)
                }
                func fail(_ field: String, _ message: String) -> IntelError {
                    IntelError(kind: .badRangeList, file: file, line: lineNumber, field: field, message: message)
                }
                guard let cols = columns else {
                    let names = fields.map { string($0).lowercased() }
                    guard let cidr = names.firstIndex(of: "cidr"), let kind = names.firstIndex(of: "kind") else {
                        throw fail(
                            "(header)",
                            "expected the header line `cidr,kind,provider`, found \"\(fields.map(string).joined(separator: ","))\""
                        )
                    }
                    columns = (cidr, kind, names.firstIndex(of: "provider"))
                    return nil
                }
                func field(_ index: Int, _ name: String) throws(IntelError) -> UnsafeBufferPointer<UInt8> {
                    guard index < fields.count else {
                        throw fail(name, "the line has \(fields.count) fields; `\(name)` is missing")
                    }
                    return UnsafeBufferPointer(rebasing: text[fields[index]])
                }
                let network: IPNetwork
                switch IPNetwork.parse(try field(cols.cidr, "cidr"), strict: false) {
                case .success(let parsed): network = parsed
                case .failure(let why):
                    throw fail("cidr", "\(why.message): \"\(string(fields[cols.cidr]))\"")
                }
                guard let kind = kind(try field(cols.kind, "kind")) else {
                    let names = NetworkKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw fail("kind", "\"\(string(fields[cols.kind]))\" is not one of \(names)")
                }
                var provider = ""
                if let p = cols.provider, p < fields.count { provider = string(fields[p]) }
                return RangeEntry(network: network, kind: kind, provider: provider)
            }
            if let entry { entries.append(entry) }
        }
        if columns == nil {
            throw IntelError(
                kind: .badRangeList,
                file: file,
                line: 1,
                field: "(header)",
                message: "empty file: expected the header line `cidr,kind,provider`"
            )
        }
        return entries
    }

    /// Splits one CSV line into fields (RFC 4180 quoting). Unquoted fields are trimmed of spaces and tabs;
    /// quoted fields are kept exactly.
    static func splitCSV(_ line: ArraySlice<UInt8>) throws(IntelError) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var i = line.startIndex
        var state = 0  // 0: unquoted, 1: inside quotes, 2: after the closing quote
        func finish() {
            if state == 2 {
                fields.append(String(decoding: current, as: UTF8.self))
            } else {
                fields.append(String(decoding: current, as: UTF8.self).trimmingSpaces())
            }
            current.removeAll(keepingCapacity: true)
            state = 0
        }
        while i < line.endIndex {
            let b = line[i]
            switch state {
            case 1:
                if b == UInt8(ascii: "\"") {
                    if i + 1 < line.endIndex, line[i + 1] == UInt8(ascii: "\"") {
                        current.append(b)
                        i += 1
                    } else {
                        state = 2
                    }
                } else {
                    current.append(b)
                }
            case 2:
                if b == UInt8(ascii: ",") {
                    finish()
                } else if b != 0x20 && b != 0x09 {
                    throw IntelError(
                        kind: .badRangeList,
                        message: "text after a closing quote in field \(fields.count + 1)"
                    )
                }
            default:
                if b == UInt8(ascii: ",") {
                    finish()
                } else if b == UInt8(ascii: "\""), current.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    current.removeAll(keepingCapacity: true)
                    state = 1
                } else {
                    current.append(b)
                }
            }
            i += 1
        }
        if state == 1 {
            throw IntelError(kind: .badRangeList, message: "a quoted field is not closed before the end of the line")
        }
        finish()
        return fields
    }

    /// The CSV text of a range list, header first; providers are quoted when they need it (a line break in
    /// a provider becomes a space: a range list has one range a line).
    public static func encode(_ entries: [RangeEntry]) -> String {
        var out = "cidr,kind,provider\n"
        for entry in entries {
            let provider =
                entry.provider.contains(where: \.isNewline)
                ? String(entry.provider.map { $0.isNewline ? " " : $0 }) : entry.provider
            out += "\(entry.network),\(entry.kind.rawValue),\(quote(provider))\n"
        }
        return out
    }

    /// Writes a range list (atomically: never half a file).
    public static func write(_ entries: [RangeEntry], to path: String) throws(IntelError) {
        try FileIO.writeAtomically(Array(encode(entries).utf8), to: path)
    }

    static func quote(_ text: String) -> String {
        let needsQuotes =
            text.contains { $0 == "," || $0 == "\"" }
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        var escaped = ""
        for c in text { escaped += c == "\"" ? "\"\"" : String(c) }
        return "\"" + escaped + "\""
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
