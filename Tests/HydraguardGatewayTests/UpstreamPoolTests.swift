import Foundation
@testable import HydraguardGateway
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

/// A plain NIO HTTP/1.1 server that counts its connections and answers `uri` with the request's URI,
/// `/big` with 4,000 bytes, `/slow` after 600 ms; with `answerOnce`, it answers one request per connection and closes the
/// connection when a second arrives (an upstream that dropped an idle keep-alive connection).
final class CountingServer: Sendable {
    final class Counts: Sendable {
        let connections = Atomic<Int>(0)
        let requests = Atomic<Int>(0)
    }

    let counts = Counts()
    let channel: any Channel
    var connections: Int { counts.connections.load(ordering: .relaxed) }
    var requests: Int { counts.requests.load(ordering: .relaxed) }

    init(answerOnce: Bool = false) async throws {
        let counts = counts
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counts.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Answerer(counts: counts, answerOnce: answerOnce))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress!.port! }

    func close() async { try? await channel.close() }

    final class Answerer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let counts: Counts
        let answerOnce: Bool
        var answered = 0
        var uri = ""

        init(counts: Counts, answerOnce: Bool) {
            self.counts = counts
            self.answerOnce = answerOnce
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                uri = head.uri
                if answerOnce, answered > 0 { context.close(promise: nil) }
            case .body: break
            case .end:
                guard !(answerOnce && answered > 0) else { return }
                answered += 1
                counts.requests.add(1, ordering: .relaxed)
                let body = uri.hasSuffix("/big") ? ByteBuffer(repeating: 0x61, count: 4000) : ByteBuffer(string: uri)
                var headers = HTTPHeaders([("content-type", "text/plain"), ("content-length", "\(body.readableBytes)")])
                headers.add(name: "cache-control", value: "no-store")
                let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)
                let send = { [self] in
                    context.write(wrapOutboundOut(.head(head)), promise: nil)
                    context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                }
                if uri.hasSuffix("/slow") {
                    context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(600)) {
                        if context.channel.isActive { send() }
                    }
                } else {
                    send()
                }
            }
        }
    }
}

/// A server that answers the first request on each connection with `pieces`, written 30 ms apart, and
/// then closes the connection when `close` is set.
final class PiecemealServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress!.port! }

    init(pieces: [String], close: Bool) async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Writer(pieces: pieces, close: close))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async { try? await channel.close() }

    final class Writer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let pieces: [String]
        let close: Bool
        var started = false

        init(pieces: [String], close: Bool) {
            self.pieces = pieces
            self.close = close
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard !started else { return }
            started = true
            let loop = context.eventLoop.assumeIsolated()
            for (i, piece) in pieces.enumerated() {
                loop.scheduleTask(in: .milliseconds(Int64(30 * i))) {
                    context.writeAndFlush(self.wrapOutboundOut(ByteBuffer(string: piece)), promise: nil)
                }
            }
            if close {
                loop.scheduleTask(in: .milliseconds(Int64(30 * pieces.count))) { context.close(promise: nil) }
            }
        }
    }
}

@Suite struct UpstreamPoolTests {
    @Test func upstreamURLsAreParsed() throws {
        let plain = try #require(UpstreamPool(url: "http://127.0.0.1:9000"))
        #expect(plain.host == "127.0.0.1" && plain.port == 9000 && plain.basePath == "")
        let based = try #require(UpstreamPool(url: "http://models.internal/api/"))
        #expect(based.host == "models.internal" && based.port == 80 && based.basePath == "/api")
        let v6 = try #require(UpstreamPool(url: "http://[::1]:8080/x"))
        #expect(v6.host == "::1" && v6.port == 8080 && v6.basePath == "/x")
        #expect(UpstreamPool(url: "https://api.anthropic.com") == nil)  // TLS goes through AsyncHTTPClient
        #expect(UpstreamPool(url: "http://host:notaport") == nil)
        #expect(UpstreamPool(url: "http://host:70000") == nil)
    }

    @Test func sequentialRequestsShareOneKeepAliveConnection() async throws {
        let server = try await CountingServer()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(server.port)/base", group: group))
        for i in 0..<20 {
            let answer = try await pool.send(
                method: .GET, path: "/v1/models?i=\(i)", headers: [:], body: nil, stream: false, timeout: .seconds(5),
                maxBytes: 1 << 20)
            guard case .whole(let body) = answer.body else { Issue.record("expected a whole body"); return }
            #expect(String(buffer: body) == "/base/v1/models?i=\(i)")
            #expect(answer.status == 200 && answer.contentType == "text/plain" && answer.cacheControl == "no-store")
        }
        #expect(server.connections == 1)
        pool.shutdown()
        await server.close()
        try await group.shutdownGracefully()
    }

    @Test func requestsAreFramedWithTheirHostAndLengthWhateverTheCallerSent() throws {
        let headers: HTTPHeaders = [
            "content-type": "application/json", "Host": "spoofed.example", "Content-Length": "999", "x-api-key": "k",
            "anthropic-beta": "b", "HOSTS": "kept",  // as long as `content-length`, longer than `host`: kept
        ]
        let post = UpstreamPool.encodeRequest(
            method: .POST, uri: "/api/v1/messages", host: "models.internal:8080", headers: headers,
            body: ByteBuffer(string: #"{"a":1}"#))
        #expect(
            String(buffer: post)
                == "POST /api/v1/messages HTTP/1.1\r\nhost: models.internal:8080\r\ncontent-type: application/json\r\n"
                + "x-api-key: k\r\nanthropic-beta: b\r\nHOSTS: kept\r\ncontent-length: 7\r\n\r\n{\"a\":1}")
        let get = UpstreamPool.encodeRequest(method: .GET, uri: "/v1/models", host: "h", headers: [:], body: nil)
        #expect(String(buffer: get) == "GET /v1/models HTTP/1.1\r\nhost: h\r\n\r\n")
    }

    /// A connection's timer outlives the exchange that set it (see `UpstreamHandler.arm(at:)`): a later
    /// exchange on the same connection is timed by its own deadline, whether that falls before or after the
    /// timer left running.
    @Test func eachExchangeOnAKeptConnectionIsTimedByItsOwnDeadline() async throws {
        let server = try await CountingServer()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(server.port)", group: group))
        func send(_ path: String, timeout: TimeAmount) async throws -> UpstreamResponse {
            try await pool.send(
                method: .GET, path: path, headers: [:], body: nil, stream: false, timeout: timeout, maxBytes: 1 << 20)
        }
        // A short deadline left behind by a quick answer does not cut a slow answer given longer.
        #expect(try await send("/fast", timeout: .milliseconds(200)).status == 200)
        #expect(try await send("/slow", timeout: .seconds(3)).status == 200)
        #expect(server.connections == 1)
        // A long deadline left behind does not stretch a shorter one: the slow answer times out at 200 ms.
        #expect(try await send("/fast", timeout: .seconds(30)).status == 200)
        let started = ContinuousClock.now
        await #expect(throws: UpstreamError.timeout) { try await send("/slow", timeout: .milliseconds(200)) }
        #expect(ContinuousClock.now - started < .milliseconds(550))
        #expect(server.connections == 1)
        pool.shutdown()
        await server.close()
        try await group.shutdownGracefully()
    }

    /// An answer read over several reads, its head cut mid-line, whose body ends with the connection: the
    /// bytes left from one read are kept for the next, and the end of the connection ends the body.
    @Test func anAnswerArrivingInPiecesAndEndingWithTheConnectionIsReadWhole() async throws {
        let server = try await PiecemealServer(
            pieces: ["HTTP/1.1 200 OK\r\ncontent-type: text/pl", "ain\r\ncache-control: no-store\r\n\r\nhello ", "world"],
            close: true)
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(server.port)"))
        let answer = try await pool.send(
            method: .GET, path: "/", headers: [:], body: nil, stream: false, timeout: .seconds(5), maxBytes: 1 << 20)
        guard case .whole(let body) = answer.body else { Issue.record("expected a whole body"); return }
        #expect(answer.status == 200 && answer.contentType == "text/plain" && answer.cacheControl == "no-store")
        #expect(String(buffer: body) == "hello world")
        pool.shutdown()
        await server.close()
    }

    /// An answer cut short by the end of the connection (fewer bytes than its length) is not taken for a
    /// whole one.
    @Test func anAnswerCutShortByTheConnectionIsUnreachable() async throws {
        let server = try await PiecemealServer(
            pieces: ["HTTP/1.1 200 OK\r\ncontent-length: 20\r\n\r\n", "only ten b"], close: true)
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(server.port)"))
        await #expect(throws: UpstreamError.unreachable) {
            _ = try await pool.send(
                method: .GET, path: "/", headers: [:], body: nil, stream: false, timeout: .seconds(5), maxBytes: 1 << 20)
        }
        pool.shutdown()
        await server.close()
    }

    @Test func aKeepAliveConnectionTheUpstreamDroppedIsRetriedOnAFreshOne() async throws {
        let server = try await CountingServer(answerOnce: true)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(server.port)", group: group))
        for _ in 0..<3 {
            let answer = try await pool.send(
                method: .POST, path: "/v1/messages", headers: [:], body: ByteBuffer(string: "{}"), stream: false,
                timeout: .seconds(5), maxBytes: 1 << 20)
            #expect(answer.status == 200)
        }
        // Each request after the first found its pooled connection dropped and went out again, fresh.
        #expect(server.requests == 3)
        #expect(server.connections == 3)
        pool.shutdown()
        await server.close()
        try await group.shutdownGracefully()
    }

    @Test func anAnswerOverTheLimitFailsAndAStreamArrivesInChunks() async throws {
        let server = try await CountingServer()
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(server.port)"))
        await #expect(throws: UpstreamError.tooLarge) {
            _ = try await pool.send(
                method: .GET, path: "/big", headers: [:], body: nil, stream: false, timeout: .seconds(5), maxBytes: 1000)
        }
        let streamed = try await pool.send(
            method: .GET, path: "/big", headers: [:], body: nil, stream: true, timeout: .seconds(5), maxBytes: 1000)
        guard case .stream(let chunks) = streamed.body else { Issue.record("expected a stream"); return }
        var total = 0
        for try await chunk in chunks { total += chunk.readableBytes }
        #expect(total == 4000)  // a stream has no size limit of its own; the gateway reads it as it passes
        pool.shutdown()
        await server.close()
    }

    @Test func aRefusedConnectionIsUnreachable() async throws {
        let server = try await CountingServer()
        let port = server.port
        await server.close()
        let pool = try #require(UpstreamPool(url: "http://127.0.0.1:\(port)"))
        await #expect(throws: UpstreamError.unreachable) {
            _ = try await pool.send(
                method: .GET, path: "/", headers: [:], body: nil, stream: false, timeout: .seconds(5), maxBytes: 100)
        }
    }

    @Test func requestIDsAreDistinct() {
        let ids = (0..<10_000).map { _ in Gateway.requestID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("req_") && $0.count > 8 })
    }
}
