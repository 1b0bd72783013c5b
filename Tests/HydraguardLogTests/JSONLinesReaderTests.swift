import Foundation
import Testing
@testable import HydraguardLog

#if canImport(Glibc)
import Glibc
#endif

/// Runs a shell tool, returning its standard output.
@discardableResult
func run(_ tool: String, _ arguments: [String], stdin: Data? = nil) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    let input = Pipe()
    if stdin != nil { process.standardInput = input }
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return data
}

/// gzip-compresses `text` into the file `path` with the system's gzip.
func gzipFile(_ path: String, _ text: String) throws {
    let data = try run("/usr/bin/gzip", ["-c"], stdin: Data(text.utf8))
    try data.write(to: URL(fileURLWithPath: path))
}

@Suite struct JSONLinesReaderTests {
    /// `count` event lines, request ids r1...rN, with a prompt long enough that a 1 KiB chunk holds a few.
    static func lines(_ count: Int) -> [String] {
        (1...count).map { eventLine(request: "r\($0)", extra: #","prompt":"line \#($0) \#(String(repeating: "x", count: 40 + $0 % 13))""#) }
    }

    // MARK: validation errors

    @Test(arguments: [
        (#"{"ts":"2026-04-22T10:15:03Z","request_id":"#, LogFormatError.Kind.brokenLine, String?.none),
        (#"not json at all"#, .brokenLine, nil),
        (#"{"ts":"2026-04-22T10:15:03Z","request_id":"r","account_id":"a","key_id":"k","ip":"::1","status":200,"input_tokens":1,"output_tokens":1}"#,
         .missingField, "model"),
        (eventLine(extra: #","status":"200""#), .wrongType, "status"),
        (eventLine(extra: #","ip":7"#), .wrongType, "ip"),
        (eventLine(extra: #","stream":"yes""#), .wrongType, "stream"),
        (eventLine(extra: #","max_tokens":1.5"#), .wrongType, "max_tokens"),
        (eventLine(extra: #","ts":"2026-04-22 10:15""#), .badTimestamp, "ts"),
        (eventLine(extra: #","ts":"2026-02-30T10:15:03Z""#), .badTimestamp, "ts"),
        (eventLine(extra: #","ts":1776852903"#), .wrongType, "ts"),
        (eventLine(extra: #","status":42"#), .badValue, "status"),
        (eventLine(extra: #","input_tokens":-1"#), .badValue, "input_tokens"),
        (eventLine(extra: #","output_tokens":-5"#), .badValue, "output_tokens"),
    ])
    func everyValidationErrorNamesFileLineAndField(bad: String, kind: LogFormatError.Kind, field: String?) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = try dir.write("events.jsonl", eventLine() + "\n\n" + bad + "\n" + eventLine() + "\n")
        let error = try #require(readAll(UsageEvent.self, [path]).error)
        #expect(error.kind == kind)
        #expect(error.file == path)
        #expect(error.line == 3)
        #expect(error.field == field)
        #expect(error.description.hasPrefix("\(path):3: \(kind)"))
        if let field { #expect(error.description.contains("`\(field)`")) }
    }

    @Test func missingFileIsAnIOError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for name in ["absent.jsonl", "absent.jsonl.gz"] {
            let error = try #require(readAll(UsageEvent.self, [dir.file(name)]).error)
            #expect(error.kind == .io)
            #expect(error.file == dir.file(name))
            #expect(error.line == 0)
            #expect(error.description.hasPrefix(dir.file(name) + ": cannot read"))
        }
        // A directory opens but cannot be read.
        let error = try #require(readAll(UsageEvent.self, [dir.path]).error)
        #expect(error.kind == .io)
    }

    @Test func truncatedGzipIsAnIOError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("events.jsonl.gz")
        try gzipFile(path, Self.lines(2000).joined(separator: "\n") + "\n")
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data = data.prefix(data.count / 2)
        try data.write(to: URL(fileURLWithPath: path))
        let error = try #require(readAll(UsageEvent.self, [path]).error)
        #expect(error.kind == .io)
        #expect(error.file == path)
    }

    // MARK: lenient mode

    @Test func lenientSkipsAndCountsWithLineNumbersAcrossChunks() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var lines = Self.lines(60)
        let bad = [3, 7, 8, 15, 16, 17, 40, 59]
        for n in bad { lines[n - 1] = n % 2 == 0 ? "{broken" : eventLine(extra: #","status":"x""#) }
        let path = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        for workers in [1, 2] {
            let result = try #require(
                readAll(UsageEvent.self, [path], lenient: true, chunkSize: 1024, workers: workers).value)
            #expect(result.statistics.skipped == bad.count)
            #expect(result.statistics.records == 60 - bad.count)
            #expect(result.statistics.lines == 60)
            #expect(result.statistics.skippedSamples.map(\.line) == Array(bad.prefix(5)))
            #expect(result.statistics.skippedSamples.allSatisfy { $0.file == path })
            #expect(result.statistics.skippedSamples[2].field == nil)
            #expect(result.statistics.skippedSamples[0].field == "status")
            let expectedIDs = (1...60).filter { !bad.contains($0) }.map { "r\($0)" }
            #expect(result.records.map(\.requestID) == expectedIDs)
        }
        // Without --lenient the first bad line stops the read.
        let error = try #require(readAll(UsageEvent.self, [path], chunkSize: 1024).error)
        #expect(error.line == 3)
    }

    @Test func lenientAcrossSeveralFilesNamesEachFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try dir.write("a.jsonl", [eventLine(request: "a1"), "{", eventLine(request: "a3")].joined(separator: "\n"))
        let b = try dir.write("b.jsonl", [eventLine(request: "b1"), eventLine(request: "b2"), "[]", ""].joined(separator: "\n"))
        let result = try #require(readAll(UsageEvent.self, [a, b], lenient: true).value)
        #expect(result.records.map(\.requestID) == ["a1", "a3", "b1", "b2"])
        #expect(result.statistics.skipped == 2)
        #expect(result.statistics.files == 2)
        #expect(result.statistics.skippedSamples.map { "\($0.file):\($0.line)" } == ["\(a):2", "\(b):3"])
    }

    // MARK: line numbers and chunking

    @Test func lineNumbersStayRightAcrossChunkBoundaries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var lines = Self.lines(80)
        lines[36] = eventLine(extra: #","ts":"never""#)
        let path = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        for chunkSize in [1024, 1100, 1500, 4096, 1 << 20] {
            for workers in [1, 2, 3] {
                let error = try #require(
                    readAll(UsageEvent.self, [path], chunkSize: chunkSize, workers: workers).error)
                #expect(error.line == 37, "chunk \(chunkSize), workers \(workers)")
                #expect(error.kind == .badTimestamp)
            }
        }
    }

    @Test func everyChunkSizeReadsTheSameRecords() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let lines = Self.lines(120)
        let path = try dir.write("events.jsonl", lines.joined(separator: "\n") + "\n")
        let expected = (1...120).map { "r\($0)" }
        for chunkSize in stride(from: 1024, through: 1300, by: 23) {
            let result = try #require(readAll(UsageEvent.self, [path], chunkSize: chunkSize).value)
            #expect(result.records.map(\.requestID) == expected)
            #expect(result.statistics.lines == 120)
            #expect(result.statistics.bytes == lines.joined(separator: "\n").utf8.count + 1)
        }
    }

    @Test func aLineLongerThanTheChunk() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let long = String(repeating: "a long prompt with \\\"quotes\\\" ", count: 2000)  // ~60 KB
        var lines = Self.lines(10)
        lines[4] = eventLine(request: "long", extra: #","prompt":"\#(long)""#)
        lines.append(eventLine(request: "long2", extra: #","prompt":"\#(long)""#))
        let path = try dir.write("events.jsonl", lines.joined(separator: "\n"))
        let result = try #require(readAll(UsageEvent.self, [path], chunkSize: 1024).value)
        #expect(result.records.map(\.requestID) == ["r1", "r2", "r3", "r4", "long", "r6", "r7", "r8", "r9", "r10", "long2"])
        #expect(result.records[4].prompt?.count == 2000 * 28)
        #expect(result.records[4].prompt?.hasPrefix("a long prompt with \"quotes\" ") == true)
        var broken = lines
        broken[8] = "{\"x\":1"
        let brokenPath = try dir.write("broken.jsonl", broken.joined(separator: "\n"))
        #expect(readAll(UsageEvent.self, [brokenPath], chunkSize: 1024).error?.line == 9)
    }

    @Test func crlfBlankLinesAndNoTrailingNewline() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let text = "\r\n" + eventLine(request: "a") + "\r\n\n   \n\t\r\n" + eventLine(request: "b") + "  \r\n"
            + eventLine(request: "c")
        let path = try dir.write("events.jsonl", text)
        let result = try #require(readAll(UsageEvent.self, [path]).value)
        #expect(result.records.map(\.requestID) == ["a", "b", "c"])
        #expect(result.statistics.lines == 7)
        // A bad line after blank CRLF lines is still numbered right.
        let bad = try dir.write("bad.jsonl", "\r\n\r\n" + eventLine() + "\r\n{oops}\r\n")
        #expect(readAll(UsageEvent.self, [bad]).error?.line == 4)
    }

    @Test func emptyFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let empty = try dir.write("empty.jsonl", "")
        let blank = try dir.write("blank.jsonl", "\n\n")
        let result = try #require(readAll(UsageEvent.self, [empty, blank]).value)
        #expect(result.records.isEmpty)
        #expect(result.statistics.files == 2)
        #expect(result.statistics.lines == 2)
    }

    // MARK: several files, gzip, stdin

    @Test func severalFilesInOneCallKeepFileOrderAndNumberLinesPerFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try dir.write("a.jsonl", (1...30).map { eventLine(request: "a\($0)") }.joined(separator: "\n") + "\n")
        let b = dir.file("b.jsonl.gz")
        try gzipFile(b, (1...30).map { eventLine(request: "b\($0)") }.joined(separator: "\n"))
        let c = try dir.write("c.jsonl", eventLine(request: "c1") + "\n")
        let result = try #require(readAll(UsageEvent.self, [a, b, c], chunkSize: 1024).value)
        #expect(result.records.map(\.requestID) == (1...30).map { "a\($0)" } + (1...30).map { "b\($0)" } + ["c1"])
        #expect(result.statistics.files == 3)
        #expect(result.statistics.lines == 61)

        var second = (1...30).map { eventLine(request: "b\($0)") }
        second[3] = eventLine(extra: #","model":null"#)
        try gzipFile(b, second.joined(separator: "\n"))
        let error = try #require(readAll(UsageEvent.self, [a, b, c], chunkSize: 1024).error)
        #expect(error.file == b)
        #expect(error.line == 4)
        #expect(error.field == "model")
        #expect(error.kind == .missingField)
    }

    @Test func gzipIsReadAndStatisticsCountDecompressedBytes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let text = Self.lines(500).joined(separator: "\n") + "\n"
        let path = dir.file("events.jsonl.gz")
        try gzipFile(path, text)
        let result = try #require(readAll(UsageEvent.self, [path], chunkSize: 2048).value)
        #expect(result.records.count == 500)
        #expect(result.records.last?.requestID == "r500")
        #expect(result.statistics.bytes == text.utf8.count)
        // Concatenated gzip members (as `cat a.gz b.gz` makes) read as one stream.
        let one = try Data(contentsOf: URL(fileURLWithPath: path))
        try (one + one).write(to: URL(fileURLWithPath: path))
        #expect(readAll(UsageEvent.self, [path]).value?.records.count == 1000)
    }
}

/// Standard input (`-`): the tests put a pipe on file descriptor 0 and restore it after, one at a time.
@Suite(.serialized) struct StandardInputTests {
    func withStandardInput<T>(_ data: Data, _ body: () throws -> T) throws -> T {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let saved = dup(0)
        defer {
            dup2(saved, 0)
            close(saved)
        }
        let writeEnd = fds[1]
        let writer = Thread {
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(writeEnd, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writeEnd)
        }
        writer.start()
        dup2(fds[0], 0)
        close(fds[0])
        return try body()
    }

    @Test func dashReadsPlainStandardInput() throws {
        let text = JSONLinesReaderTests.lines(3000).joined(separator: "\n") + "\n"  // larger than a pipe's buffer
        let result = try withStandardInput(Data(text.utf8)) { readAll(UsageEvent.self, ["-"], chunkSize: 4096) }
        let value = try #require(result.value)
        #expect(value.records.count == 3000)
        #expect(value.records.last?.requestID == "r3000")
    }

    @Test func dashReadsGzipStandardInputAndErrorsNameIt() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var lines = JSONLinesReaderTests.lines(20)
        lines[9] = eventLine(extra: #","output_tokens":"many""#)
        let path = dir.file("in.gz")
        try gzipFile(path, lines.joined(separator: "\n"))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = try #require(try withStandardInput(data) { readAll(UsageEvent.self, ["-"]) }.error)
        #expect(error.file == "-")
        #expect(error.line == 10)
        #expect(error.field == "output_tokens")
    }
}
