import Foundation
import HydraguardSimulator
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HydraguardGateway

/// The upstream pool's own HTTP/1.x answer decoder: what it reads, what it refuses, and that it never reads
/// an answer that SwiftNIO's decoder (llhttp) would refuse or frame differently.
@Suite struct ResponseDecoderTests {
    /// What one decoder made of some bytes: the answers it read, in order, and whether it then refused.
    struct Outcome: Equatable {
        var answers: [Answer] = []
        var refused = false
    }

    /// An answer as both decoders can report it; `ended` when its end was read (not cut short).
    struct Answer: Equatable, CustomStringConvertible {
        var head: ResponseHead
        var body: [UInt8]
        var ended: Bool

        var description: String { "\(head.status) keepAlive=\(head.keepAlive) body=\(body.count) ended=\(ended)" }
    }

    /// The gateway's decoder over `bytes` (in `pieces` when given), answering requests of `methods`, the
    /// connection then closed.
    static func ours(_ bytes: [UInt8], methods: [HTTPMethod], pieces: [Int]? = nil) -> Outcome {
        var decoder = ResponseDecoder()
        for method in methods { decoder.expectAnswer(to: method) }
        var outcome = Outcome()
        func emit(_ part: ResponsePart) {
            switch part {
            case .head(let head): outcome.answers.append(Answer(head: head, body: [], ended: false))
            case .body(let chunk): outcome.answers[outcome.answers.count - 1].body += chunk.readableBytesView
            case .end: outcome.answers[outcome.answers.count - 1].ended = true
            }
        }
        var buffer = ByteBuffer()
        var offset = 0
        do {
            for length in (pieces ?? [bytes.count]) + [bytes.count] where offset < bytes.count {
                let end = min(bytes.count, offset + length)
                buffer.writeBytes(bytes[offset..<end])
                offset = end
                while try decoder.decode(buffer: &buffer, emit: emit) == .continue {}
                buffer.discardReadBytes()
            }
            decoder.closed(emit: emit)
        } catch {
            #expect(error is HTTP1ParseError)
            outcome.refused = true
        }
        return outcome
    }

    /// SwiftNIO's decoder over the same bytes, after the same requests went out, the connection then closed.
    static func nio(_ bytes: [UInt8], methods: [HTTPMethod]) -> Outcome {
        let channel = EmbeddedChannel()
        var outcome = Outcome()
        func drain() throws {
            while let part = try channel.readInbound(as: HTTPClientResponsePart.self) {
                switch part {
                case .head(let h):
                    func first(_ name: String) -> String? {
                        h.headers.first(name: name).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \t")) }
                    }
                    outcome.answers.append(
                        Answer(
                            head: ResponseHead(
                                status: Int(h.status.code), keepAlive: h.isKeepAlive, contentType: first("content-type"),
                                cacheControl: first("cache-control")),
                            body: [], ended: false))
                case .body(let chunk): outcome.answers[outcome.answers.count - 1].body += chunk.readableBytesView
                case .end: outcome.answers[outcome.answers.count - 1].ended = true
                }
            }
        }
        do {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
            for method in methods {
                try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: "/")))
            }
            try channel.writeInbound(ByteBuffer(bytes: bytes))
            try drain()
            channel.pipeline.fireChannelInactive()
            try drain()
        } catch {
            try? drain()
            outcome.refused = true
        }
        _ = try? channel.finish()
        return outcome
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func answersAreReadByLengthChunksOrTheConnectionsEnd() {
        let text =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\ncache-control: no-store \r\nContent-Length: 2\r\n\r\n{}"
            + "HTTP/1.1 100 Continue\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n"
            + "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"  // to HEAD: no body
            + "HTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.0 200 OK\r\n\r\nuntil the end"
        let input = Self.bytes(text)
        let methods: [HTTPMethod] = [.POST, .POST, .HEAD, .GET, .GET]
        let outcome = Self.ours(input, methods: methods)
        #expect(!outcome.refused)
        #expect(outcome.answers.map(\.head.status) == [200, 200, 200, 204, 200])
        #expect(outcome.answers.map { String(decoding: $0.body, as: UTF8.self) } == ["{}", "hello world", "", "", "until the end"])
        #expect(outcome.answers.allSatisfy { $0.ended })
        #expect(outcome.answers.map(\.head.keepAlive) == [true, true, true, true, false])
        // The first of a repeated header, trimmed.
        #expect(outcome.answers[0].head.contentType == "application/json" && outcome.answers[0].head.cacheControl == "no-store")
        #expect(outcome == Self.nio(input, methods: methods))
        #expect(Self.ours(input, methods: methods, pieces: Array(repeating: 1, count: input.count)) == outcome)
    }

    @Test func keepAliveFollowsTheVersionAndTheConnectionHeader() {
        for (version, connection, expected) in [
            ("HTTP/1.1", nil, true), ("HTTP/1.1", "close", false), ("HTTP/1.0", nil, false), ("HTTP/1.0", "keep-alive", true),
        ] as [(String, String?, Bool)] {
            let input = Self.bytes("\(version) 200 OK\r\n" + (connection.map { "Connection: \($0)\r\n" } ?? "") + "Content-Length: 0\r\n\r\n")
            let outcome = Self.ours(input, methods: [.POST])
            #expect(outcome.answers.first?.head.keepAlive == expected, "\(version) \(connection ?? "-")")
            #expect(outcome == Self.nio(input, methods: [.POST]))
        }
    }

    @Test func anAnswerCutShortIsNotEnded() {
        let outcome = Self.ours(Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), methods: [.POST])
        #expect(!outcome.refused && outcome.answers.count == 1 && !outcome.answers[0].ended)
        let chunked = Self.ours(Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"), methods: [.POST])
        #expect(chunked.answers.count == 1 && !chunked.answers[0].ended && chunked.answers[0].body == Self.bytes("abc"))
    }

    @Test(arguments: [
        ("bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"),
        ("no status", "HTTP/1.1 OK\r\n\r\n"),
        ("two-digit status", "HTTP/1.1 20 OK\r\n\r\n"),
        ("HTTP/2", "HTTP/2.0 200 OK\r\n\r\n"),
        ("content-length twice", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na"),
        ("both framings", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("transfer-encoding gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
        ("folded line", "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n"),
        ("empty line first", "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ("tab in content-length", "HTTP/1.1 200 OK\r\nContent-Length: 1\t\r\n\r\na"),
        ("informational on HTTP/1.0", "HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ("informational with a length", "HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ("bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("an answer to no request", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    ])
    func aMalformedAnswerIsRefused(_ name: String, _ text: String) {
        let outcome = Self.ours(Self.bytes(text), methods: [.POST])
        #expect(outcome.refused, "\(name)")
    }

    /// Answers built from parts that each decoder reads differently when they go wrong, two or three at a
    /// time, some with a byte changed: whatever the pool reads, NIO's decoder reads the same (the same
    /// answers with the same status, keep-alive, kept headers and body, ended or not); the pool only ever
    /// refuses more. The same bytes in random pieces read the same.
    @Test func neverReadsWhatNIOsDecoderWouldNotOrFramesItDifferently() {
        var random = SeededRandom(seed: 21)
        var agreed = 0
        var stricter = 0
        for _ in 0..<3000 {
            var input: [UInt8] = []
            var methods: [HTTPMethod] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let method: HTTPMethod = Int.random(in: 0..<8, using: &random) == 0 ? .HEAD : .POST
                methods.append(method)
                input += Self.generated(&random)
            }
            if Int.random(in: 0..<3, using: &random) == 0 { RequestDecoderTests.mutate(&input, &random) }
            let ours = Self.ours(input, methods: methods)
            var theirs = Self.nio(input, methods: methods)
            // The pool may close a connection llhttp would keep: nothing is framed differently by that.
            for k in 0..<min(ours.answers.count, theirs.answers.count) where !ours.answers[k].head.keepAlive {
                theirs.answers[k].head.keepAlive = false
            }
            let text = String(decoding: input, as: UTF8.self).debugDescription
            #expect(ours.answers.count <= theirs.answers.count, "read more than llhttp: \(methods) \(text)")
            // Every answer the pool read whole, NIO read the same; one the pool still reads, NIO began the same.
            for (k, answer) in ours.answers.enumerated() where k < theirs.answers.count {
                if answer.ended {
                    #expect(answer == theirs.answers[k], "read differently: \(methods) \(text)")
                } else {
                    #expect(answer.head == theirs.answers[k].head, "read differently: \(methods) \(text)")
                    #expect(theirs.answers[k].body.starts(with: answer.body), "read differently: \(methods) \(text)")
                }
            }
            if ours == theirs { agreed += 1 } else { stricter += 1 }
            var pieces: [Int] = []
            while pieces.reduce(0, +) < input.count { pieces.append(Int.random(in: 1...64, using: &random)) }
            #expect(Self.ours(input, methods: methods, pieces: pieces) == ours, "pieces read differently: \(text)")
        }
        #expect(agreed > 1000)
        #expect(stricter > 100)
    }

    static func pick<T>(_ choices: [T], _ random: inout SeededRandom) -> T { choices.randomElement(using: &random)! }

    static func generated(_ random: inout SeededRandom) -> [UInt8] {
        let version = pick(["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.2"], &random)
        let status = pick(["200 OK", "200 OK", "201 Created", "204 No Content", "304 Not Modified", "100 Continue", "429 Too Many", "500", "20 OK", "200  OK"], &random)
        var lines = ["\(version) \(status)"]
        let names = ["Content-Type", "content-type", "Cache-Control", "Connection", "x-request-id", "Server"]
        let values = ["application/json", "text/event-stream", " padded ", "close", "keep-alive", "no-cache", "a\tb", ""]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            lines.append(pick(names, &random) + pick([": ", ":", " : "], &random) + pick(values, &random) + pick(["", "", " "], &random))
        }
        let body = String(repeating: pick(["a", "{", "\r\n", "0"], &random), count: Int.random(in: 0...30, using: &random))
        var tail = ""
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            tail = body  // until the end of the connection
        case 1, 2, 3, 4:
            lines.append("Content-Length: \(pick([String(body.utf8.count), String(body.utf8.count), "+3", "x"], &random))")
            tail = body
        case 5:
            lines.append("Content-Length: \(body.utf8.count)")
            lines.append("Content-Length: \(body.utf8.count)")
            tail = body
        default:
            lines.append("Transfer-Encoding: " + pick(["chunked", "chunked", "Chunked", "gzip, chunked"], &random))
            if Int.random(in: 0..<6, using: &random) == 0 { lines.append("Content-Length: \(body.utf8.count)") }
            var rest = Array(body.utf8)
            while !rest.isEmpty {
                let n = Int.random(in: 1...rest.count, using: &random)
                tail += String(n, radix: 16) + pick(["", "", ";ext", " "], &random) + "\r\n"
                tail += String(decoding: rest[..<n], as: UTF8.self) + pick(["\r\n", "\r\n", "\n"], &random)
                rest.removeFirst(n)
            }
            tail += "0\r\n" + pick(["", "", "x-trailer: t\r\n"], &random) + "\r\n"
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n" + tail).utf8)
    }
}
