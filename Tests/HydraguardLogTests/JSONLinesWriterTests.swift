import Foundation
import Testing
@testable import HydraguardLog

@Suite struct JSONLinesWriterTests {
    static func events(_ count: Int) -> [UsageEvent] {
        (0..<count).map { n in
            UsageEvent(
                ts: Timestamp(seconds: 1_776_852_903 + Int64(n)), requestID: "r\(n)", accountID: "a\(n % 7)",
                keyID: "k", ip: "192.0.2.\(n % 250)", model: "m", inputTokens: n, outputTokens: 2 * n,
                prompt: n % 3 == 0 ? "prompt \(n) with \"quotes\" and\nnewline" : nil)
        }
    }

    @Test func nothingAppearsAtTheFinalPathUntilFinish() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for name in ["events.jsonl", "events.jsonl.gz"] {
            let path = dir.file(name)
            let writer = try JSONLinesWriter<UsageEvent>(path: path)
            for e in Self.events(8_000) { try writer.write(e) }  // more than one buffer flush
            #expect(!FileManager.default.fileExists(atPath: path))
            try writer.finish()
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(readAll(UsageEvent.self, [path]).value?.records == Self.events(8_000))
        }
        #expect(try dir.contents() == ["events.jsonl", "events.jsonl.gz"])  // no partial files left
    }

    @Test func abandonLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for name in ["a.jsonl", "b.jsonl.gz"] {
            let writer = try JSONLinesWriter<UsageEvent>(path: dir.file(name))
            for e in Self.events(8_000) { try writer.write(e) }
            writer.abandon()
        }
        #expect(try dir.contents().isEmpty)
    }

    @Test func droppingAnUnfinishedWriterLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let writer = try JSONLinesWriter<UsageEvent>(path: dir.file("dropped.jsonl"))
            try writer.write(Self.events(1)[0])
        }
        #expect(try dir.contents().isEmpty)
    }

    @Test func finishReplacesAnExistingFileOnlyAtTheEnd() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("events.jsonl", "old\n")
        let writer = try JSONLinesWriter<UsageEvent>(path: path)
        try writer.write(Self.events(1)[0])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old\n")
        try writer.finish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == Self.events(1)[0].jsonLine + "\n")
    }

    @Test func gzipOutputIsRealGzip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("events.jsonl.gz")
        let writer = try JSONLinesWriter<UsageEvent>(path: path, compressionLevel: 1)
        let events = Self.events(100)
        for e in events { try writer.write(e) }
        try writer.finish()
        let raw = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(raw.prefix(2) == Data([0x1F, 0x8B]))
        let text = String(decoding: try run("/usr/bin/gzip", ["-dc", path]), as: UTF8.self)
        #expect(text == events.map { $0.jsonLine + "\n" }.joined())
    }

    @Test func writesEncodedLinesAsGiven() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("events.jsonl")
        let writer = try JSONLinesWriter<UsageEvent>(path: path)
        try writer.write(encodedLine: Array(eventLine(request: "pre").utf8))
        try writer.write(Self.events(1)[0])
        #expect(writer.count == 2)
        #expect(writer.path == path)
        try writer.finish()
        #expect(readAll(UsageEvent.self, [path]).value?.records.map(\.requestID) == ["pre", "r0"])
    }

    @Test func unwritableDirectoryIsAnIOErrorNamingThePath() throws {
        let path = "/nonexistent-dir-for-hydraguard-tests/events.jsonl"
        #expect {
            _ = try JSONLinesWriter<UsageEvent>(path: path)
        } throws: { error in
            let error = error as? LogFormatError
            return error?.kind == .io && error?.file == path
        }
    }

    @Test func jsonOutputEscapesWhatJSONNeeds() {
        var out = JSONOutput()
        out.appendString("q\" b\\ n\n r\r t\t c\u{01}\u{1F} é 😀 / ok")
        #expect(String(decoding: out.bytes, as: UTF8.self) == #""q\" b\\ n\n r\r t\t c\u0001\u001f é 😀 / ok""#)
        out.removeAll()
        for v in [0, -1, 42, Int.max, Int.min + 1] {
            out.removeAll()
            out.appendInt(v)
            #expect(String(decoding: out.bytes, as: UTF8.self) == String(v))
        }
    }
}
