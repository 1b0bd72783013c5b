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
        var entries: [RangeEntry] = []
        var columns: (cidr: Int, kind: Int, provider: Int?)?
        var lineNumber = 0
        var start = 0
        // Skip a UTF-8 byte order mark.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            lineNumber += 1
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            let line = bytes[start..<stop]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let fields: [String]
            do throws(IntelError) {
                fields = try splitCSV(line)
            } catch {
                throw error.located(file: file, line: lineNumber)
            }
            guard let cols = columns else {
                let names = fields.map { $0.lowercased() }
                guard let cidr = names.firstIndex(of: "cidr"), let kind = names.firstIndex(of: "kind") else {
                    throw IntelError(
                        kind: .badRangeList,
                        file: file,
                        line: lineNumber,
                        field: "(header)",
                        message:
                            "expected the header line `cidr,kind,provider`, found \"\(fields.joined(separator: ","))\""
                    )
                }
                columns = (cidr, kind, names.firstIndex(of: "provider"))
                continue
            }
            func field(_ index: Int, _ name: String) throws(IntelError) -> String {
                guard index < fields.count else {
                    throw IntelError(
                        kind: .badRangeList,
                        file: file,
                        line: lineNumber,
                        field: name,
                        message: "the line has \(fields.count) fields; `\(name)` is missing"
                    )
                }
                return fields[index]
            }
            let cidrText = try field(cols.cidr, "cidr")
            let network: IPNetwork
            do throws(IntelError) {
                network = try IPNetwork(parsing: cidrText, strict: false)
            } catch {
                throw IntelError(
                    kind: .badRangeList,
                    file: file,
                    line: lineNumber,
                    field: "cidr",
                    message: error.message
                )
            }
            let kindText = try field(cols.kind, "kind")
            guard let kind = NetworkKind(rawValue: kindText.lowercased()) else {
                throw IntelError(
                    kind: .badRangeList,
                    file: file,
                    line: lineNumber,
                    field: "kind",
                    message:
                        "\"\(kindText)\" is not one of \(NetworkKind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            var provider = ""
            if let p = cols.provider, p < fields.count { provider = fields[p] }
            entries.append(RangeEntry(network: network, kind: kind, provider: provider))
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
