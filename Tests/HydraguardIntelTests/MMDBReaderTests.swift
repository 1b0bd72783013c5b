import Foundation
import Testing

@testable import HydraguardIntel

@Suite struct MMDBReaderTests {
    func sample() throws -> [UInt8] {
        try MMDBWriter.country([(try IPNetwork(parsing: "8.8.8.0/24"), "US")]).build()
    }

    @Test func refusesAFileWithoutMetadata() {
        #expect {
            try MMDBReader(bytes: Array("not a database".utf8), path: "x.mmdb")
        } throws: { error in
            let e = error as? IntelError
            return e?.kind == .badDatabase && e?.file == "x.mmdb" && "\(error)".contains("x.mmdb")
        }
    }

    @Test func refusesATruncatedTree() throws {
        var bytes = try sample()
        // Cut the tree: the metadata claims more nodes than the file has room for.
        bytes.removeFirst(bytes.count / 2)
        #expect(throws: IntelError.self) { try MMDBReader(bytes: bytes, path: "cut.mmdb") }
    }

    @Test func refusesAWrongRecordSize() throws {
        var bytes = try sample()
        // Rewrite record_size 24 (uint16 with one payload byte) to 20.
        let key = Array("record_size".utf8)
        let at = try #require(lastIndex(of: key, in: bytes))
        let valueAt = at + key.count
        #expect(bytes[valueAt] == 0xA1 && bytes[valueAt + 1] == 24)
        bytes[valueAt + 1] = 20
        #expect {
            try MMDBReader(bytes: bytes, path: "rs.mmdb")
        } throws: { error in "\(error)".contains("record size 20") && "\(error)".contains("rs.mmdb") }
    }

    @Test func reportsACorruptDataSection() throws {
        var bytes = try sample()
        let reader = try MMDBReader(bytes: bytes)
        let (offset, _) = try #require(try reader.dataOffset(for: IPAddress(parsing: "8.8.8.8")))
        bytes[offset] = 0x00  // extended type ...
        bytes[offset + 1] = 0xF0  // ... that does not exist
        let broken = try MMDBReader(bytes: bytes, path: "corrupt.mmdb")
        #expect {
            try broken.record(for: IPAddress(parsing: "8.8.8.8"))
        } throws: { error in (error as? IntelError)?.kind == .badDatabase && "\(error)".contains("corrupt.mmdb") }
        #expect(try broken.dataOffset(for: IPAddress(parsing: "9.9.9.9")) == nil)
    }

    @Test func missingFileNamesThePath() {
        #expect {
            try MMDBReader(path: "/nonexistent/country.mmdb")
        } throws: { error in (error as? IntelError)?.kind == .io && "\(error)".contains("/nonexistent/country.mmdb") }
    }

    func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        var i = haystack.count - needle.count
        while i >= 0 {
            if Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i -= 1
        }
        return nil
    }
}
