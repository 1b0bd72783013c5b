import Foundation
import HydraguardGateway
import HydraguardStore
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Collects what a raw connection receives.
private final class Received: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let text = Mutex("")
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        text.withLock { $0 += String(buffer: buffer) }
    }
}

@Suite struct GatewayServerTests {
    /// Sends raw bytes on one connection and returns what came back once `done` holds (or after 5 s).
    static func exchange(port: Int, _ raw: String, until done: @escaping @Sendable (String) -> Bool) async throws -> String {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(string: raw)).get()
        for _ in 0..<250 {
            if done(received.text.withLock { $0 }) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? await channel.close()
        return received.text.withLock { $0 }
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

    @Test func connectionCloseIsHonouredAndMalformedRequestsGet400() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let closing = try await Self.exchange(
                port: f.port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") { $0.contains("ok\n") }
            #expect(closing.hasPrefix("HTTP/1.1 200") && closing.lowercased().contains("connection: close"))
            let bad = try await Self.exchange(port: f.port, "NOT HTTP AT ALL\r\n\r\n") { $0.contains("HTTP/1.1") }
            #expect(bad.hasPrefix("HTTP/1.1 400"))
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
