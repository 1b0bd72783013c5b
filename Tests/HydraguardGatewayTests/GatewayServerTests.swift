import Foundation
import HydraguardGateway
import HydraguardStore
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Collects what a raw connection receives, and whether the server closed it.
private final class Received: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let text = Mutex("")
    let closed = Atomic(false)
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        text.withLock { $0 += String(buffer: buffer) }
    }
    func channelInactive(context: ChannelHandlerContext) {
        closed.store(true, ordering: .sequentiallyConsistent)
        context.fireChannelInactive()
    }
}

@Suite struct GatewayServerTests {
    /// Sends raw bytes on one connection and returns what came back once `done` holds (or after 5 s), and
    /// whether the server had closed the connection by then.
    static func exchangeNoting(port: Int, _ raw: String, until done: @escaping @Sendable (String, Bool) -> Bool)
        async throws -> (text: String, closed: Bool)
    {
        try await exchangeNoting(port: port, pieces: [raw], until: done)
    }

    /// ``exchangeNoting(port:_:until:)`` with the bytes sent in `pieces`, 30 ms apart (each flushed on its own:
    /// the server reads them one at a time).
    static func exchangeNoting(
        port: Int, pieces: [String], until done: @escaping @Sendable (String, Bool) -> Bool
    ) async throws -> (text: String, closed: Bool) {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        for (i, piece) in pieces.enumerated() {
            if i > 0 { try await Task.sleep(for: .milliseconds(30)) }
            try await channel.writeAndFlush(ByteBuffer(string: piece)).get()
        }
        for _ in 0..<250 {
            if done(received.text.withLock { $0 }, received.closed.load(ordering: .sequentiallyConsistent)) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let closed = received.closed.load(ordering: .sequentiallyConsistent)
        try? await channel.close()
        return (received.text.withLock { $0 }, closed)
    }

    /// A non-streamed `POST /v1/messages` with `secret`'s key, whole.
    static func message(_ secret: String) -> String {
        let body = #"{"model":"stub-small","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}"#
        return "POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: \(secret)\r\n"
            + "content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    /// ``exchangeNoting(port:_:until:)`` for the text alone.
    static func exchange(port: Int, _ raw: String, until done: @escaping @Sendable (String) -> Bool) async throws -> String {
        try await exchangeNoting(port: port, raw) { text, _ in done(text) }.text
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let raw = "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /v1/models HTTP/1.1\r\nHost: x\r\nx-api-key: \(f.secrets["card"]!)\r\n\r\n"
            let text = try await Self.exchange(port: f.port, raw) { $0.components(separatedBy: "HTTP/1.1 ").count > 3 && $0.contains("stub-small") }
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["404", "200", "200"])
            #expect(text.contains("no route for GET /nowhere"))
            #expect(text.contains("ok\n"))
        }
    }

    /// Requests that arrive over several reads, cut anywhere (mid-line in the head, mid-body, between two
    /// pipelined requests), are read whole and answered in order.
    @Test func requestsArrivingInPiecesAreReadWhole() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let raw = Array((Self.message(f.secrets["card"]!) + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").utf8)
            // Cut in the request line, in a header, in the body, and in the second request's head.
            let cuts = [0, 7, 40, raw.count - 60, raw.count - 20, raw.count]
            let pieces = zip(cuts, cuts.dropFirst()).map { String(decoding: raw[$0..<$1], as: UTF8.self) }
            let text = try await Self.exchangeNoting(port: f.port, pieces: pieces) { text, _ in text.hasSuffix("ok\n") }.text
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "200"])
            #expect(text.contains("\"type\":\"message\""))
            #expect(text.hasSuffix("ok\n"))
        }
    }

    /// A request pipelined behind one whose answer is let go by the journal's write (in the same pass of
    /// the loop) is refused at once and records in that pass: its record is journalled and its answer
    /// written too, not lost with the batch that was being written.
    @Test func aRequestRefusedAsTheOneBeforeItIsReleasedIsRecordedAndAnswered() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hg-reentry-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await GatewayFixture.run(storePath: "\(folder)/hg.sqlite", configure: { $0.records.commitIntervalMs = 10 }) {
            (f: GatewayFixture) async throws in
            let unkeyed = "POST /v1/messages HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"
            let raw = Self.message(f.secrets["card"]!) + unkeyed + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            let text = try await Self.exchange(port: f.port, raw) { $0.hasSuffix("ok\n") }
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "401", "200"])
            var recorded: [Int] = []
            for _ in 0..<100 {
                recorded = try f.records().map(\.status).sorted()
                if recorded.count >= 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(recorded == [200, 401])
        }
    }

    @Test func connectionCloseIsHonouredAndMalformedRequestsGet400() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let closing = try await Self.exchange(
                port: f.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") { $0.contains("ok\n") }
            #expect(closing.hasPrefix("HTTP/1.1 200") && closing.lowercased().contains("connection: close"))
            let bad = try await Self.exchangeNoting(port: f.port, "NOT HTTP AT ALL\r\n\r\n") { _, closed in closed }
            #expect(bad.text.hasPrefix("HTTP/1.1 400"))
            #expect(bad.text.lowercased().contains("connection: close"))
            #expect(bad.closed, "the server closes a connection it cannot parse")
        }
    }

    @Test func aMalformedRequestBehindOneInFlightEndsTheConnectionAfterItsAnswer() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let raw = Self.message(f.secrets["card"]!) + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "\u{01}\u{02} NOT HTTP\r\n\r\n"
            let result = try await Self.exchangeNoting(port: f.port, raw) { _, closed in closed }
            let statuses = result.text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            // The answer under way is written whole; what was pipelined behind it is dropped, the garbage is
            // not answered out of order, and the connection ends.
            #expect(statuses.first == "200")
            #expect(result.text.contains("\"type\":\"message\""))
            #expect(!statuses.contains("400"))
            #expect(result.closed)
        }
    }
}

extension GatewayServerTests {
    @Test func aClientExpecting100ContinueIsToldToSendItsBody() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let head = "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "x-api-key: \(f.secrets["card"]!)\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n"
            // Only the head is sent: the gateway must answer 100 before the body comes.
            let text = try await Self.exchange(port: f.port, head) { $0.contains("HTTP/1.1 100") }
            #expect(text.hasPrefix("HTTP/1.1 100 Continue"))
        }
    }
}

extension GatewayServerTests {
    static func streamedMessage(_ secret: String, version: String, extra: String = "") -> String {
        let body = #"{"model":"stub-small","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        return "POST /v1/messages HTTP/\(version)\r\nHost: x\r\nx-api-key: \(secret)\r\n\(extra)"
            + "content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func aStreamIsChunkedOnHTTP11AndTheConnectionServesTheNextRequest() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let raw = Self.streamedMessage(f.secrets["card"]!, version: "1.1") + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            let result = try await Self.exchangeNoting(port: f.port, raw) { text, _ in text.hasSuffix("ok\n") }
            let parts = result.text.components(separatedBy: "HTTP/1.1 ")
            try #require(parts.count == 3, "two answers on one connection")
            let stream = parts[1]
            #expect(stream.hasPrefix("200"))
            #expect(stream.lowercased().contains("transfer-encoding: chunked\r\n"))
            #expect(!stream.lowercased().contains("content-length"))
            // Every chunk is its size in hex, CRLF, that many bytes, CRLF; the last is empty.
            var rest = Array(stream[stream.range(of: "\r\n\r\n")!.upperBound...].utf8)[...]
            let crlf: [UInt8] = [13, 10]
            var events = ""
            while true {
                let end = try #require(rest.indices.first { rest[$0...].starts(with: crlf) })
                let size = try #require(Int(String(decoding: rest[..<end], as: UTF8.self), radix: 16))
                rest = rest[(end + 2)...]
                if size == 0 {
                    #expect(Array(rest) == crlf)
                    break
                }
                try #require(rest.count >= size + 2)
                events += String(decoding: rest.prefix(size), as: UTF8.self)
                rest = rest.dropFirst(size)
                #expect(rest.starts(with: crlf))
                rest = rest.dropFirst(2)
            }
            #expect(events.contains("event: message_start") && events.contains("event: message_stop"))
            #expect(parts[2].hasPrefix("200") && parts[2].hasSuffix("ok\n"))
            #expect(!result.closed)
        }
    }

    @Test func aStreamOnHTTP10IsUnframedAndEndsWithTheConnection() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let raw = Self.streamedMessage(f.secrets["card"]!, version: "1.0", extra: "connection: keep-alive\r\n")
            let result = try await Self.exchangeNoting(port: f.port, raw) { _, closed in closed }
            #expect(result.text.hasPrefix("HTTP/1.0 200 OK\r\n"))
            let head = result.text[..<result.text.range(of: "\r\n\r\n")!.lowerBound].lowercased()
            #expect(!head.contains("transfer-encoding") && !head.contains("content-length"))
            #expect(head.contains("connection: close"))
            let body = result.text[result.text.range(of: "\r\n\r\n")!.upperBound...]
            #expect(body.hasPrefix("event: message_start"))
            #expect(body.contains("event: message_stop"))
            #expect(result.closed, "with no framing, the stream ends with the connection")
        }
    }
}
