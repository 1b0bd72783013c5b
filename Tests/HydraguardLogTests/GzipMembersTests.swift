import Foundation
import Testing
@testable import HydraguardLog

@Suite struct GzipMembersTests {
    func compress(_ text: [UInt8], blockSize: Int, pieces: Int) throws -> Data {
        let gzip = GzipMembers(level: 1, blockSize: blockSize, workers: 2)
        var out = Data()
        let step = max(1, text.count / max(1, pieces))
        var offset = 0
        while offset < text.count {
            let upper = min(text.count, offset + step)
            try text[offset..<upper].withUnsafeBytes { piece in
                try gzip.add(piece) { (member: [UInt8]) throws(LogFormatError) in out.append(contentsOf: member) }
            }
            offset = upper
        }
        try gzip.finish { (member: [UInt8]) throws(LogFormatError) in out.append(contentsOf: member) }
        return out
    }

    @Test func manySmallMembersDecompressToTheText() throws {
        let text = Array((0..<3000).map { "line \($0) \(String(repeating: "é", count: $0 % 17))\n" }.joined().utf8)
        for (blockSize, pieces) in [(1000, 1), (1000, 37), (4096, 300), (1 << 20, 5)] {
            let data = try compress(text, blockSize: blockSize, pieces: pieces)
            #expect(data.prefix(2) == Data([0x1F, 0x8B]))
            #expect(Array(try run("/usr/bin/gzip", ["-dc"], stdin: data)) == text, "block \(blockSize)")
        }
    }

    @Test func emptyInputIsStillAGzipFile() throws {
        let data = try compress([], blockSize: 1000, pieces: 1)
        #expect(data.prefix(2) == Data([0x1F, 0x8B]))
        #expect(try run("/usr/bin/gzip", ["-dc"], stdin: data).isEmpty)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("empty.jsonl.gz")
        try JSONLinesWriter<UsageEvent>(path: path).finish()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(2) == Data([0x1F, 0x8B]))
        #expect(readAll(UsageEvent.self, [path]).value?.records.isEmpty == true)
    }
}
