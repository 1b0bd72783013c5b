import AsyncHTTPClient
import Foundation
import HTTPTypes
import HydraguardGateway
import HydraguardLog
import HydraguardStore
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A stub upstream and a gateway in front of it, both live on loopback, with an in-memory store holding
/// one account per tier and verdict.
struct GatewayFixture {
    let gateway: Gateway
    let store: Store
    let client: any TestClientProtocol
    /// A pooled client for parallel requests (Hummingbird's test client pipelines on one connection).
    let http: HTTPClient
    let port: Int
    var secrets: [String: String]

    static let testTiers: [Tier: TierPolicy] = [
        .free: TierPolicy(
            limits: LimitSet(requestsPerMinute: 3, concurrent: 2), models: ["stub-small"], visibleReasoning: false,
            maxOutputTokens: 16, tools: false),
        .card: TierPolicy(limits: LimitSet(requestsPerMinute: 1000, inputTokensPerMinute: 1_000_000)),
        .enterprise: TierPolicy(limits: LimitSet()),
    ]

    static func run(
        stub: UpstreamStubConfig = UpstreamStubConfig(port: 0),
        upstreamURL: String? = nil,
        clock: GatewayClock = .manual(start: 1_800_000_000),
        storePath: String? = nil,
        cacheSeconds: Double = 0,
        configure: @Sendable (inout GatewayConfig) -> Void = { _ in },
        _ body: @Sendable (GatewayFixture) async throws -> Void
    ) async throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        var stubConfig = stub
        stubConfig.port = 0
        let stubApp = buildUpstreamStubApplication(stubConfig, logger: logger)
        try await stubApp.test(.live) { stubClient in
            var config = GatewayConfig(
                listen: Endpoint(host: "127.0.0.1", port: 0),
                upstream: UpstreamConfig(url: upstreamURL ?? "http://127.0.0.1:\(stubClient.port!)", timeoutMs: 30_000),
                tiers: testTiers)
            configure(&config)
            // In memory (records committed before each answer), or on disk with a record journal beside it.
            let store = try storePath.map { try Store(path: $0, keyHashSecret: Data("fixture".utf8)) }
                ?? Store(inMemoryWithKeyHashSecret: Data("fixture".utf8))
            let journal = try storePath.map {
                try RecordJournal.open(directory: $0 + "-records", store: store, logger: logger)
            }
            var secrets: [String: String] = [:]
            for (name, tier) in [("free", Tier.free), ("card", .card), ("enterprise", .enterprise)] {
                try store.upsertAccount(AccountRow(id: "acct_\(name)", tier: tier))
                secrets[name] = try store.createKey(accountID: "acct_\(name)").secret
            }
            for verdict in GatewayVerdict.allCases where verdict != .allow {
                try store.upsertAccount(AccountRow(id: "acct_\(verdict.rawValue)", tier: .card))
                secrets[verdict.rawValue] = try store.createKey(accountID: "acct_\(verdict.rawValue)").secret
                try store.setVerdict(accountID: "acct_\(verdict.rawValue)", verdict: verdict, source: "test")
            }
            let keys = secrets
            let upstreamClient = Gateway.makeHTTPClient(readTimeoutMs: config.upstream.timeoutMs)
            let gateway = Gateway(
                config: config, store: store, httpClient: upstreamClient, logger: logger, clock: clock, cacheSeconds: cacheSeconds,
                journal: journal)
            let app = buildGatewayApplication(gateway)
            do {
                try await runApp(app, keys: keys, gateway: gateway, store: store, body)
            } catch {
                try? await upstreamClient.shutdown()
                throw error
            }
            try await upstreamClient.shutdown()
        }
    }

    private static func runApp(
        _ app: some ApplicationProtocol, keys: [String: String], gateway: Gateway, store: Store,
        _ body: @Sendable (GatewayFixture) async throws -> Void
    ) async throws {
        try await app.test(.live) { client in
            var httpConfig = HTTPClient.Configuration()
            httpConfig.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 400)
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
            do {
                try await body(GatewayFixture(
                    gateway: gateway, store: store, client: client, http: http, port: client.port!, secrets: keys))
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    static func anthropicBody(
        model: String = "stub-small", maxTokens: Int = 50, stream: Bool = false, extra: String = "",
        prompt: String = "say something useful"
    ) -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","max_tokens":\#(maxTokens),"stream":\#(stream),"messages":[{"role":"user","content":"\#(prompt)"}]\#(extra)}"#)
    }

    static func openAIBody(model: String = "stub-small", stream: Bool = false, extra: String = "") -> ByteBuffer {
        ByteBuffer(string: #"{"model":"\#(model)","stream":\#(stream),"max_tokens":40,"messages":[{"role":"user","content":"write two words"}]\#(extra)}"#)
    }

    func messages(_ secret: String?, _ body: ByteBuffer, headers extra: HTTPFields = [:]) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let secret { headers[HTTPField.Name("x-api-key")!] = secret }
        headers.append(contentsOf: extra)
        return try await send("/v1/messages", headers, body)
    }

    func chat(_ secret: String?, _ body: ByteBuffer) async throws -> Answer {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let secret { headers[.authorization] = "Bearer \(secret)" }
        return try await send("/v1/chat/completions", headers, body)
    }

    func send(_ path: String, _ headers: HTTPFields, _ body: ByteBuffer) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        for field in headers { request.headers.add(name: field.name.rawName, value: field.value) }
        request.body = .bytes(body)
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        return Answer(status: HTTPResponse.Status(code: Int(response.status.code)), headers: fields, body: bytes)
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer
    }

    static func json(_ response: Answer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:]
    }

    /// The records written so far (waits for the writer: records are committed before the answer).
    func records() throws -> [UsageEvent] { try store.usage(limit: 10_000) }
}
