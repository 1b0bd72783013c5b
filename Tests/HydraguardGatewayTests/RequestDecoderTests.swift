import Foundation
import HydraguardSimulator
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import HydraguardGateway

/// The gateway's own HTTP/1.x request decoder: what it reads, what it refuses, and that it never reads a
/// request that SwiftNIO's decoder (llhttp) would refuse or frame differently.
@Suite struct RequestDecoderTests {
    /// What one decoder made of some bytes: the requests it read, in order, and whether it then refused.
    struct Outcome: Equatable {
        var requests: [Read] = []
        var refused = false
    }

    /// A request as both decoders can report it: the gateway's head and the body.
    @dynamicMemberLookup
    struct Read: Equatable, CustomStringConvertible {
        var head: RequestHead
        var body: [UInt8]

        subscript<T>(dynamicMember path: KeyPath<RequestHead, T>) -> T { head[keyPath: path] }

        var description: String {
            "\(head.method.rawValue) \(head.uri) \(head.version) keepAlive=\(head.keepAlive) key=\(head.apiKey ?? "-") body=\(body.count)"
        }
    }

    static let fingerprintName = "x-ja4"

    /// The gateway's decoder over `bytes` cut into `pieces` (the whole at once when nil).
    static func ours(_ bytes: [UInt8], pieces: [Int]? = nil, maxBody: Int = 1 << 20) -> (Outcome, continues: Int) {
        var decoder = RequestDecoder(maxBodyBytes: maxBody, fingerprintHeader: Array(fingerprintName.utf8))
        var outcome = Outcome()
        var continues = 0
        var buffer = ByteBuffer()
        var cuts = pieces ?? [bytes.count]
        var offset = 0
        if cuts.reduce(0, +) < bytes.count { cuts.append(bytes.count - cuts.reduce(0, +)) }
        do {
            for length in cuts where offset < bytes.count {
                let end = min(bytes.count, offset + length)
                buffer.writeBytes(bytes[offset..<end])
                offset = end
                while try decoder.decode(buffer: &buffer, emit: { part in
                    switch part {
                    case .continueExpected: continues += 1
                    case .request(let head, let body):
                        outcome.requests.append(Read(head: head, body: Array(body.readableBytesView)))
                    }
                }) == .continue {}
                buffer.discardReadBytes()
            }
        } catch {
            #expect(error is HTTP1ParseError)
            outcome.refused = true
        }
        return (outcome, continues)
    }

    /// SwiftNIO's decoder (llhttp) over the same bytes, read as the gateway reads a head.
    static func nio(_ bytes: [UInt8]) -> Outcome {
        let channel = EmbeddedChannel()
        var outcome = Outcome()
        defer { _ = try? channel.finish() }
        do {
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            func drain() throws {
                while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                    switch part {
                    case .head(let h):
                        head = h
                        body = []
                    case .body(let chunk): body += chunk.readableBytesView
                    case .end:
                        guard let h = head else { continue }
                        // NIO keeps a value's trailing white space; the gateway drops it, as RFC 9110 has it
                        // (optional white space is not part of a field value).
                        func joined(_ name: String) -> String? {
                            let values = h.headers[name].map { value in
                                var v = Substring(value)
                                while v.last == " " || v.last == "\t" { v.removeLast() }
                                return String(v)
                            }
                            return values.isEmpty ? nil : values.joined(separator: ", ")
                        }
                        let read = RequestHead(
                            method: h.method, uri: h.uri, version: h.version, keepAlive: h.isKeepAlive,
                            expectsContinue: h.version == .http1_1
                                && h.headers["expect"].first?.trimmingCharacters(in: .whitespaces).lowercased() == "100-continue",
                            apiKey: joined("x-api-key"), authorization: joined("authorization"),
                            forwardedFor: joined("x-forwarded-for"), userAgent: joined("user-agent"),
                            anthropicVersion: joined("anthropic-version"), anthropicBeta: joined("anthropic-beta"),
                            tlsFingerprint: joined(fingerprintName))
                        outcome.requests.append(Read(head: read, body: body))
                        head = nil
                    }
                }
            }
            do {
                try channel.writeInbound(ByteBuffer(bytes: bytes))
                try drain()
            } catch {
                try? drain()
                outcome.refused = true
            }
        } catch {
            outcome.refused = true
        }
        return outcome
    }

    static func request(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: What it reads

    @Test func aRequestIsReadWithTheHeadersTheGatewayUses() {
        let bytes = Self.request(
            "POST /v1/messages?beta=true HTTP/1.1\r\nHost: gw\r\nX-API-Key: hg_key_a_b\r\nAUTHORIZATION:  Bearer other \t\r\n"
                + "X-Forwarded-For: 198.51.100.1\r\nx-forwarded-for:203.0.113.9\r\nUser-Agent: anthropic-python/2.12.0\r\n"
                + "anthropic-version: 2023-06-01\r\nAnthropic-Beta: tools-2024\r\nx-api-keys: not the key header\r\n"
                + "X-JA4: t13d1516h2\r\nContent-Length: 2\r\n\r\n{}")
        let (outcome, _) = Self.ours(bytes)
        #expect(!outcome.refused)
        #expect(outcome.requests.count == 1)
        let r = outcome.requests[0]
        #expect(r.method == .POST && r.uri == "/v1/messages?beta=true" && r.version == .http1_1 && r.keepAlive)
        #expect(r.apiKey == "hg_key_a_b")
        #expect(r.authorization == "Bearer other")
        // Repeated headers read as HTTP combines them.
        #expect(r.forwardedFor == "198.51.100.1, 203.0.113.9")
        #expect(r.userAgent == "anthropic-python/2.12.0")
        #expect(r.anthropicVersion == "2023-06-01" && r.anthropicBeta == "tools-2024")
        #expect(r.tlsFingerprint == "t13d1516h2")
        #expect(r.body == Array("{}".utf8))
        #expect(outcome == Self.nio(bytes))

        let request = GatewayRequest(
            head: RequestHead(method: .GET, uri: "/healthz", version: .http1_1, keepAlive: true), body: ByteBuffer(), peer: nil)
        #expect(request.path == "/healthz" && request.head.apiKey == nil)
        let withQuery = GatewayRequest(
            head: RequestHead(method: .POST, uri: "/v1/messages?beta=true", version: .http1_1, keepAlive: true), body: ByteBuffer(),
            peer: "10.0.0.1")
        #expect(withQuery.path == "/v1/messages" && withQuery.peer == "10.0.0.1")
    }

    @Test func pipelinedRequestsAreReadInOrderHoweverTheBytesArrive() {
        let one = "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 5\r\nx-api-key: k1\r\n\r\nhello"
        let two = "POST /v1/messages HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=\"a b\"\r\nabc\r\n0\r\nx-trailer: t\r\n\r\n"
        let three = "\r\nGET /v1/models HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        let bytes = Self.request(one + two + three)
        let (whole, _) = Self.ours(bytes)
        #expect(!whole.refused)
        #expect(whole.requests.map(\.uri) == ["/v1/chat/completions", "/v1/messages", "/v1/models"])
        #expect(whole.requests.map { String(decoding: $0.body, as: UTF8.self) } == ["hello", "abc", ""])
        #expect(whole.requests.map(\.keepAlive) == [true, true, true])
        #expect(whole == Self.nio(bytes))
        // One byte at a time, and in seeded random pieces: the same requests.
        #expect(Self.ours(bytes, pieces: Array(repeating: 1, count: bytes.count)).0 == whole)
        var random = SeededRandom(seed: 3)
        for _ in 0..<50 {
            let pieces = (0..<bytes.count).map { _ in Int.random(in: 1...40, using: &random) }
            #expect(Self.ours(bytes, pieces: pieces).0 == whole)
        }
    }

    @Test func keepAliveFollowsTheVersionAndTheConnectionHeader() {
        func keepAlive(_ version: String, _ connection: String?) -> Bool? {
            let text = "GET / \(version)\r\n" + (connection.map { "Connection: \($0)\r\n" } ?? "") + "\r\n"
            let bytes = Self.request(text)
            let (outcome, _) = Self.ours(bytes)
            #expect(outcome == Self.nio(bytes), "\(version) \(connection ?? "-")")
            return outcome.requests.first?.keepAlive
        }
        #expect(keepAlive("HTTP/1.1", nil) == true)
        #expect(keepAlive("HTTP/1.1", "close") == false)
        #expect(keepAlive("HTTP/1.1", "Upgrade-Insecure, CLOSE") == false)
        #expect(keepAlive("HTTP/1.0", nil) == false)
        #expect(keepAlive("HTTP/1.0", "Keep-Alive") == true)
        // Both tokens: llhttp's reading, which the gateway keeps (HTTP/1.0 needs keep-alive, 1.1 closes on close).
        #expect(keepAlive("HTTP/1.0", "keep-alive, close") == true)
        #expect(keepAlive("HTTP/1.1", "keep-alive, close") == false)
        #expect(keepAlive("HTTP/1.1", "keep-alive, keep-alive") == true)
    }

    @Test func aBodyPastTheLimitIsCutAndTheRestReadPast() {
        let big = String(repeating: "x", count: 100)
        let chunkedBig = "32\r\n" + String(repeating: "y", count: 50) + "\r\n32\r\n" + String(repeating: "z", count: 50) + "\r\n0\r\n\r\n"
        let bytes = Self.request(
            "POST /a HTTP/1.1\r\nContent-Length: 100\r\n\r\n\(big)"
                + "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\(chunkedBig)"
                + "POST /c HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc")
        for pieces in [nil, Array(repeating: 7, count: 100)] {
            let (outcome, _) = Self.ours(bytes, pieces: pieces, maxBody: 10)
            #expect(!outcome.refused)
            #expect(outcome.requests.map(\.uri) == ["/a", "/b", "/c"])
            // One byte past the limit is kept, so that the responder can tell the body is too large.
            #expect(outcome.requests.map(\.body.count) == [11, 11, 3])
            #expect(outcome.requests[1].body == Array("yyyyyyyyyyy".utf8))
        }
    }

    @Test func expectContinueIsPassedOnBeforeTheBody() {
        let (outcome, continues) = Self.ours(
            Self.request("POST /v1/messages HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n"))
        #expect(continues == 1 && outcome.requests.isEmpty && !outcome.refused)
        let (_, onHTTP10) = Self.ours(Self.request("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"))
        #expect(onHTTP10 == 0)
    }

    // MARK: What it refuses

    @Test(arguments: [
        ("bare LF", "GET / HTTP/1.1\nHost: a\r\n\r\n"),
        ("bare LF in a header", "GET / HTTP/1.1\r\nHost: a\n\r\n"),
        ("bare CR", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n"),
        ("folded line", "GET / HTTP/1.1\r\nX-API-Key: a\r\n b\r\n\r\n"),
        ("space before the colon", "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello"),
        ("no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n"),
        ("control character", "GET / HTTP/1.1\r\nX-API-Key: a\u{01}b\r\n\r\n"),
        ("NUL", "GET / HTTP/1.1\r\nX-API-Key: a\u{00}b\r\n\r\n"),
        ("DEL", "GET / HTTP/1.1\r\nX-API-Key: a\u{7F}\r\n\r\n"),
        ("content-length twice", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na"),
        ("tab in content-length", "POST / HTTP/1.1\r\nContent-Length: 1\t\r\n\r\na"),
        ("content-length list", "POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\na"),
        ("content-length sign", "POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\na"),
        ("content-length empty", "POST / HTTP/1.1\r\nContent-Length:\r\n\r\n"),
        ("content-length overflow", "POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
        ("transfer-encoding gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
        ("transfer-encoding list", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
        ("transfer-encoding twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("both framings", "POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("chunked on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("chunk size not hexadecimal", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("chunk size with space", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n0\r\n\r\n"),
        ("space before a chunk extension", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3 ;x\r\nabc\r\n0\r\n\r\n"),
        ("chunk extension without a name", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;\r\nabc\r\n0\r\n\r\n"),
        ("chunk extension quoted value not closed", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;a=\"b\r\nabc\r\n0\r\n\r\n"),
        ("chunk size overflow", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n"),
        ("chunk without CRLF", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n"),
        ("bad trailer", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n"),
        ("unknown method", "PROPFIND / HTTP/1.1\r\n\r\n"),
        ("lower-case method", "post / HTTP/1.1\r\n\r\n"),
        ("absolute target", "GET http://example.com/ HTTP/1.1\r\n\r\n"),
        ("asterisk target", "OPTIONS * HTTP/1.1\r\n\r\n"),
        ("space in the target", "GET /a b HTTP/1.1\r\n\r\n"),
        ("double space", "GET  / HTTP/1.1\r\n\r\n"),
        ("no version", "GET /\r\n\r\n"),
        ("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n"),
        ("lower-case version", "GET / http/1.1\r\n\r\n"),
        ("space after the version", "GET / HTTP/1.1 \r\n\r\n"),
    ])
    func aMalformedRequestIsRefused(_ name: String, _ text: String) {
        let bytes = Self.request(text)
        let (outcome, _) = Self.ours(bytes)
        #expect(outcome.refused, "\(name)")
        #expect(outcome.requests.isEmpty, "\(name)")
        // The same one byte at a time.
        #expect(Self.ours(bytes, pieces: Array(repeating: 1, count: bytes.count)).0.refused, "\(name)")
    }

    @Test func aHeadLargerThanTheLimitIsRefusedWithoutWaitingForItsEnd() {
        var text = "GET / HTTP/1.1\r\n"
        while text.utf8.count <= HTTP1.maxHeadBytes { text += "x-filler: " + String(repeating: "f", count: 100) + "\r\n" }
        #expect(Self.ours(Self.request(text)).0.refused)
        let endless = Array(repeating: UInt8(ascii: "a"), count: HTTP1.maxHeadBytes + 10)
        #expect(Self.ours(endless).0.refused)
    }

    // MARK: Against llhttp

    /// Requests built from parts that each decoder reads differently when they go wrong, joined two or three
    /// at a time, some with a byte changed: whatever the gateway reads, NIO's decoder reads the same (the
    /// same requests, framed the same, with the same headers and bodies); the gateway only ever refuses
    /// more. The same bytes in random pieces read the same.
    @Test func neverReadsWhatNIOsDecoderWouldNotOrFramesItDifferently() {
        var random = SeededRandom(seed: 11)
        var agreed = 0
        var stricter = 0
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) { bytes += Self.generated(&random) }
            if Int.random(in: 0..<3, using: &random) == 0 { Self.mutate(&bytes, &random) }
            let (ours, _) = Self.ours(bytes)
            var theirs = Self.nio(bytes)
            // The gateway may close a connection that llhttp would keep (it trims a tab after `close`,
            // which llhttp does not): nothing is framed differently by that.
            for k in 0..<min(ours.requests.count, theirs.requests.count) where !ours.requests[k].keepAlive {
                theirs.requests[k].head.keepAlive = false
            }
            let text = String(decoding: bytes, as: UTF8.self).debugDescription
            // Every request the gateway read, NIO read the same, in the same place.
            #expect(ours.requests.count <= theirs.requests.count, "read more than llhttp: \(text)")
            #expect(Array(theirs.requests.prefix(ours.requests.count)) == ours.requests, "read differently: \(text)")
            if ours == theirs { agreed += 1 } else { stricter += 1 }
            var pieces: [Int] = []
            while pieces.reduce(0, +) < bytes.count { pieces.append(Int.random(in: 1...64, using: &random)) }
            let inPieces = Self.ours(bytes, pieces: pieces).0
            #expect(inPieces.requests == ours.requests, "pieces read differently: \(text)")
        }
        // The generator reaches both sides.
        #expect(agreed > 1000)
        #expect(stricter > 100)
    }

    static func pick<T>(_ choices: [T], _ random: inout SeededRandom) -> T { choices.randomElement(using: &random)! }

    static func generated(_ random: inout SeededRandom) -> [UInt8] {
        let method = pick(["POST", "POST", "GET", "PUT", "HEAD", "DELETE", "OPTIONS", "PATCH", "PROPFIND", "post", "CONNECT"], &random)
        let target = pick(
            ["/v1/messages", "/v1/chat/completions?x=1", "/", "/v1/models", "*", "http://h/v1/messages", "/a%20b", "/caf\u{E9}"], &random)
        let version = pick(["HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/1.1 "], &random)
        var lines = [(Int.random(in: 0..<8, using: &random) == 0 ? "\r\n" : "") + "\(method) \(target) \(version)"]
        let names = ["Host", "x-api-key", "X-Api-Key", "authorization", "X-Forwarded-For", "user-agent", "anthropic-version",
            "Anthropic-Beta", "content-type", "Connection", "accept", Self.fingerprintName, "x-other"]
        let values = ["gw", "hg_key_a_b", "Bearer sk-1", " padded ", "a\tb", "close", "keep-alive", "Keep-Alive, close",
            "198.51.100.1, 203.0.113.9", "caf\u{E9}", "", "2023-06-01", "tools-2024"]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            let name = pick(names, &random)
            let value = pick(values, &random)
            let separator = pick([": ", ":", ":  ", ": \t", " : ", ":"], &random)
            lines.append(name + separator + value + pick(["", "", "", " ", "\t"], &random))
        }
        let body = String(repeating: pick(["a", "{", "\r\n", "0"], &random), count: Int.random(in: 0...40, using: &random))
        var tail = ""
        switch Int.random(in: 0..<10, using: &random) {
        case 0:
            break  // no framing: no body
        case 1, 2, 3:
            lines.append("Content-Length: \(body.utf8.count)")
            tail = body
        case 4:
            lines.append("Content-Length: \(pick(["+5", "5 5", "0x5", " 5 ", "5,5", "", "00005", "-1"], &random))")
            tail = body
        case 5:
            lines.append("Content-Length: \(body.utf8.count)")
            lines.append("Content-Length: \(pick([body.utf8.count, body.utf8.count + 1], &random))")
            tail = body
        case 6, 7, 8:
            lines.append("Transfer-Encoding: " + pick(["chunked", "chunked", "Chunked", "gzip, chunked", "chunked, gzip", "identity"], &random))
            if Int.random(in: 0..<6, using: &random) == 0 { lines.append("Content-Length: \(body.utf8.count)") }
            var rest = Array(body.utf8)
            while !rest.isEmpty {
                let n = Int.random(in: 1...rest.count, using: &random)
                let size = pick([String(n, radix: 16), String(n, radix: 16, uppercase: true), "00" + String(n, radix: 16)], &random)
                tail += size + pick(["", "", ";ext", ";e=\"v\"", " ;x", " "], &random) + "\r\n"
                tail += String(decoding: rest[..<n], as: UTF8.self) + pick(["\r\n", "\r\n", "\r\n", "\n", "x\r\n"], &random)
                rest.removeFirst(n)
            }
            tail += "0\r\n" + pick(["", "", "x-trailer: t\r\n", "bad trailer\r\n"], &random) + "\r\n"
        default:
            lines.append(pick(["Transfer-Encoding: chunked", "Content-Length: 3"], &random))
            lines.append(pick([" folded", "\tfolded", "X-Bad\u{01}: v", "Content-Length: 3\r\nContent-Length: 4"], &random))
            tail = "abc"
        }
        let ending = Int.random(in: 0..<20, using: &random) == 0 ? "\n" : "\r\n"
        return Array((lines.joined(separator: ending) + "\r\n\r\n" + tail).utf8)
    }

    static func mutate(_ bytes: inout [UInt8], _ random: inout SeededRandom) {
        guard !bytes.isEmpty else { return }
        let alphabet = Array("\r\n \t:;,0aZ".utf8) + [0x00, 0x7F, 0xE9]
        let at = Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<3, using: &random) {
        case 0: bytes[at] = pick(alphabet, &random)
        case 1: bytes.insert(pick(alphabet, &random), at: at)
        default: bytes.remove(at: at)
        }
    }
}
