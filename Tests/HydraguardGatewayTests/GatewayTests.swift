import Foundation
import HTTPTypes
import HydraguardGateway
import HydraguardLog
import HydraguardStore
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite(.serialized) struct GatewayTests {
    @Test func anthropicNonStreamedIsForwardedAndRecorded() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let response = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(model: "stub-large"))
            #expect(response.status == .ok)
            let json = GatewayFixture.json(response)
            let usage = try #require(json["usage"] as? [String: Any])
            let output = try #require(usage["output_tokens"] as? Int)
            #expect(output >= 1 && output <= 50)
            #expect(response.headers[HTTPField.Name("anthropic-ratelimit-requests-limit")!] == "1000")
            #expect(response.headers[HTTPField.Name("anthropic-ratelimit-requests-remaining")!] == "999")
            let record = try #require(try f.records().first)
            #expect(record.accountID == "acct_card")
            #expect(record.status == 200)
            #expect(record.model == "stub-large")
            #expect(record.inputTokens == usage["input_tokens"] as? Int)
            #expect(record.outputTokens == output)
            #expect(record.endpoint == "/v1/messages")
            #expect(record.prompt == "say something useful")
            #expect(record.ip == "127.0.0.1")
            #expect(record.requestID == response.headers[HTTPField.Name("request-id")!])
        }
    }

    @Test func anthropicStreamPassesEventsAndRecordsUsage() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let response = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(stream: true))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let text = String(buffer: response.body)
            #expect(text.hasPrefix("event: message_start"))
            #expect(text.contains("event: message_stop"))
            let deltas = text.components(separatedBy: "event: content_block_delta").count - 1
            let record = try #require(try f.records().first)
            #expect(record.stream == true)
            #expect(record.outputTokens == deltas)
            #expect(record.inputTokens == 3)  // "say something useful"
        }
    }

    @Test func openAIStreamDropsTheUsageChunkItAskedFor() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let response = try await f.chat(f.secrets["card"], GatewayFixture.openAIBody(stream: true))
            #expect(response.status == .ok)
            let text = String(buffer: response.body)
            #expect(text.hasSuffix("data: [DONE]\n\n"))
            #expect(!text.contains("\"usage\""))
            let record = try #require(try f.records().first)
            #expect(record.outputTokens > 0)
            #expect(record.inputTokens == 3)
            // A client that asks for usage gets it.
            let withUsage = try await f.chat(
                f.secrets["card"], GatewayFixture.openAIBody(stream: true, extra: #","stream_options":{"include_usage":true}"#))
            #expect(String(buffer: withUsage.body).contains("\"usage\""))
        }
    }

    @Test func openAINonStreamedCarriesOpenAIHeaders() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let response = try await f.chat(f.secrets["card"], GatewayFixture.openAIBody())
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("x-ratelimit-limit-requests")!] == "1000")
            #expect(response.headers[HTTPField.Name("x-request-id")!]?.hasPrefix("req_") == true)
            let usage = try #require(GatewayFixture.json(response)["usage"] as? [String: Any])
            #expect(try f.records().first?.outputTokens == usage["completion_tokens"] as? Int)
        }
    }

    @Test func missingOrWrongKeysGet401InEachFormat() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let none = try await f.messages(nil, GatewayFixture.anthropicBody())
            #expect(none.status == .unauthorized)
            let error = try #require(GatewayFixture.json(none)["error"] as? [String: Any])
            #expect(error["type"] as? String == "authentication_error")
            let wrong = try await f.chat(f.secrets["card"]! + "x", GatewayFixture.openAIBody())
            #expect(wrong.status == .unauthorized)
            #expect((GatewayFixture.json(wrong)["error"] as? [String: Any])?["type"] as? String == "authentication_error")
            let records = try f.records()
            #expect(records.count == 2)
            #expect(records.allSatisfy { $0.status == 401 && $0.inputTokens == 0 })
        }
    }

    @Test func aConnectionThatPresentedAKeyIsStillCheckedOnEveryRequest() async throws {
        // The fixture's client sends every request on one connection, so from the second request on the
        // connection's key memo is in play.
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let created = try f.store.createKey(accountID: "acct_card")
            let secret = created.secret
            let tampered = String(secret.dropLast()) + (secret.hasSuffix("A") ? "B" : "A")
            #expect(tampered.utf8.count == secret.utf8.count && tampered != secret)
            #expect(try await f.chat(secret, GatewayFixture.openAIBody()).status == .ok)
            #expect(try await f.chat(tampered, GatewayFixture.openAIBody()).status == .unauthorized)
            #expect(try await f.chat(String(secret.dropLast()), GatewayFixture.openAIBody()).status == .unauthorized)
            #expect(try await f.chat(secret, GatewayFixture.openAIBody()).status == .ok)
            #expect(try await f.chat(f.secrets["enterprise"], GatewayFixture.openAIBody()).status == .ok)
            #expect(try await f.chat(tampered, GatewayFixture.openAIBody()).status == .unauthorized)
            try f.store.revokeKey(id: created.key.id)
            #expect(try await f.chat(secret, GatewayFixture.openAIBody()).status == .unauthorized)
            let records = try f.records().reversed().map { ($0.status, $0.keyID) }
            #expect(records.map(\.0) == [200, 401, 401, 200, 200, 401, 401])
            #expect(records[0].1 == created.key.id && records[1].1 == "-" && records[3].1 == created.key.id)
        }
    }

    @Test func revokedKeysStopWorking() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let created = try f.store.createKey(accountID: "acct_card")
            #expect(try await f.messages(created.secret, GatewayFixture.anthropicBody()).status == .ok)
            try f.store.revokeKey(id: created.key.id)
            #expect(try await f.messages(created.secret, GatewayFixture.anthropicBody()).status == .unauthorized)
        }
    }

    @Test func blockAndChallengeVerdictsRefuse() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let blocked = try await f.messages(f.secrets["block"], GatewayFixture.anthropicBody())
            #expect(blocked.status == .forbidden)
            #expect((GatewayFixture.json(blocked)["error"] as? [String: Any])?["type"] as? String == "permission_error")
            let challenged = try await f.chat(f.secrets["challenge"], GatewayFixture.openAIBody())
            #expect(challenged.status == .forbidden)
            let error = try #require(GatewayFixture.json(challenged)["error"] as? [String: Any])
            #expect(error["code"] as? String == "verification_required")
            #expect((error["message"] as? String)?.contains("verification required") == true)
            #expect(try f.records().map(\.status) == [403, 403])
            #expect(try await f.messages(f.secrets["watch"], GatewayFixture.anthropicBody()).status == .ok)
        }
    }

    @Test func degradeCapsOutputAndWithholdsReasoning() async throws {
        try await GatewayFixture.run(configure: { $0.verdicts.degradeMaxOutputTokens = 3 }) { (f: GatewayFixture) async throws in
            let body = GatewayFixture.anthropicBody(maxTokens: 200, extra: #","thinking":{"type":"enabled","budget_tokens":100}"#)
            let normal = try await f.messages(f.secrets["card"], body)
            let normalContent = try #require(GatewayFixture.json(normal)["content"] as? [[String: Any]])
            #expect(normalContent.contains { $0["type"] as? String == "thinking" })
            let degraded = try await f.messages(f.secrets["degrade"], body)
            #expect(degraded.status == .ok)
            let json = GatewayFixture.json(degraded)
            let content = try #require(json["content"] as? [[String: Any]])
            #expect(!content.contains { $0["type"] as? String == "thinking" })
            #expect((json["usage"] as? [String: Any])?["output_tokens"] as? Int ?? 99 <= 3)
            // The record keeps what the client asked for.
            #expect(try f.records().first?.thinking == true)
            #expect(try f.records().first?.maxTokens == 200)
        }
    }

    @Test func throttleTightensLimits() async throws {
        try await GatewayFixture.run(configure: { $0.verdicts.throttleFactor = 0.002 }) { (f: GatewayFixture) async throws in
            // card allows 1000/min; throttled to 2.
            #expect(try await f.messages(f.secrets["throttle"], GatewayFixture.anthropicBody()).status == .ok)
            #expect(try await f.messages(f.secrets["throttle"], GatewayFixture.anthropicBody()).status == .ok)
            #expect(try await f.messages(f.secrets["throttle"], GatewayFixture.anthropicBody()).status == .tooManyRequests)
            #expect(try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody()).status == .ok)
        }
    }

    @Test func tiersLimitModelsToolsReasoningAndOutput() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let model = try await f.messages(f.secrets["free"], GatewayFixture.anthropicBody(model: "stub-large"))
            #expect(model.status == .forbidden)
            #expect((GatewayFixture.json(model)["error"] as? [String: Any])?["message"] as? String
                == "model stub-large is not available to free-tier accounts; verify to unlock it")
            let tools = try await f.chat(f.secrets["free"], GatewayFixture.openAIBody(extra: #","tools":[{"type":"function"}]"#))
            #expect(tools.status == .forbidden)
            #expect((GatewayFixture.json(tools)["error"] as? [String: Any])?["param"] as? String == "tools")
            let thinking = try await f.messages(
                f.secrets["free"], GatewayFixture.anthropicBody(extra: #","thinking":{"type":"enabled","budget_tokens":10}"#))
            #expect(thinking.status == .forbidden)
            // The output cap (16) lowers max_tokens.
            let capped = try await f.messages(f.secrets["free"], GatewayFixture.anthropicBody(maxTokens: 4000))
            #expect(capped.status == .ok)
            #expect(try f.records().first?.maxTokens == 4000)  // what the client asked for
            #expect((GatewayFixture.json(capped)["usage"] as? [String: Any])?["output_tokens"] as? Int ?? 99 <= 16)
        }
    }

    @Test func rateLimitsAnswer429WithRetryAfterInEachFormat() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            for _ in 0..<3 { #expect(try await f.messages(f.secrets["free"], GatewayFixture.anthropicBody()).status == .ok) }
            let limited = try await f.messages(f.secrets["free"], GatewayFixture.anthropicBody())
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers[.retryAfter] == "20")
            #expect(limited.headers[HTTPField.Name("anthropic-ratelimit-requests-remaining")!] == "0")
            #expect((GatewayFixture.json(limited)["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
            let openAI = try await f.chat(f.secrets["free"], GatewayFixture.openAIBody())
            #expect(openAI.status == .tooManyRequests)
            #expect(openAI.headers[HTTPField.Name("x-ratelimit-remaining-requests")!] == "0")
            #expect(openAI.headers[HTTPField.Name("x-ratelimit-reset-requests")!] == "1m0s")  // until the bucket is full again
            #expect((GatewayFixture.json(openAI)["error"] as? [String: Any])?["code"] as? String == "rate_limit_exceeded")
            let statuses = try f.records().map(\.status)
            #expect(statuses.filter { $0 == 429 }.count == 2)
        }
    }

    @Test func oversizedInputIsRefusedBeforeForwarding() async throws {
        try await GatewayFixture.run(configure: {
            $0.tiers[.card]!.limits.inputTokensPerMinute = 50
        }) { (f: GatewayFixture) async throws in
            let long = String(repeating: "word ", count: 200)
            let response = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(prompt: long))
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[HTTPField.Name("x-should-retry")!] == "false")
            #expect(response.headers[.retryAfter] == nil)
        }
    }

    @Test func parallelRequestsNeverOvershootTheBudget() async throws {
        try await GatewayFixture.run(configure: {
            $0.tiers[.card]!.limits = LimitSet(requestsPerMinute: 40, outputTokensPerMinute: 100_000, concurrent: 1000)
        }) { (f: GatewayFixture) async throws in
            let secret = f.secrets["card"]!
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<300 {
                    group.addTask {
                        let body = i.isMultiple(of: 2)
                            ? GatewayFixture.anthropicBody(prompt: "request \(i)")
                            : GatewayFixture.anthropicBody(stream: true, prompt: "request \(i)")
                        return Int(try await f.messages(secret, body).status.code)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 40)
            #expect(statuses.filter { $0 == 429 }.count == 260)
            let records = try f.records()
            #expect(records.count == 300)
            #expect(f.gateway.limiter.inFlight(scope: "account:acct_card") == 0)
            #expect(Set(records.map(\.requestID)).count == 300)
        }
    }

    @Test func outputBudgetHoldsUnderConcurrency() async throws {
        // 300 output tokens per minute; each request reserves max_tokens (50) and settles to its real count.
        try await GatewayFixture.run(configure: {
            $0.tiers[.card]!.limits = LimitSet(outputTokensPerMinute: 300, concurrent: 1000)
        }) { (f: GatewayFixture) async throws in
            let secret = f.secrets["card"]!
            _ = try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask { _ = try await f.messages(secret, GatewayFixture.anthropicBody(prompt: "p \(i)")) }
                }
                try await group.waitForAll()
            }
            let used = try f.records().filter { $0.status == 200 }.reduce(0) { $0 + $1.outputTokens }
            #expect(used > 0)
            #expect(used <= 300)
        }
    }

    @Test func concurrentRequestsPerAccountAreCapped() async throws {
        try await GatewayFixture.run(stub: UpstreamStubConfig(delayMs: 300)) { (f: GatewayFixture) async throws in
            let secret = f.secrets["free"]!
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask { Int(try await f.messages(secret, GatewayFixture.anthropicBody()).status.code) }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.sorted() == [200, 200, 429])
        }
    }

    @Test func badBodiesGet400NamingTheFieldAnd413WhenTooLarge() async throws {
        try await GatewayFixture.run(configure: { $0.maxBodyBytes = 2000 }) { (f: GatewayFixture) async throws in
            let bad = try await f.messages(f.secrets["card"], ByteBuffer(string: #"{"model":"m","messages":[]}"#))
            #expect(bad.status == .badRequest)
            let error = try #require(GatewayFixture.json(bad)["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_request_error")
            #expect((error["message"] as? String)?.hasPrefix("max_tokens") == true)
            let openAI = try await f.chat(f.secrets["card"], ByteBuffer(string: #"{"model":"m","messages":[{"role":"user","content":7}]}"#))
            #expect(openAI.status == .badRequest)
            #expect((GatewayFixture.json(openAI)["error"] as? [String: Any])?["param"] as? String == "messages[0].content")
            let garbage = try await f.messages(f.secrets["card"], ByteBuffer(bytes: [0xFF, 0x00, 0x7B]))
            #expect(garbage.status == .badRequest)
            let big = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(prompt: String(repeating: "x", count: 5000)))
            #expect(big.status == .contentTooLarge)
            #expect((GatewayFixture.json(big)["error"] as? [String: Any])?["type"] as? String == "request_too_large")
            #expect(try f.records().map(\.status).sorted() == [400, 400, 400, 413])
            // Still serving.
            #expect(try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody()).status == .ok)
        }
    }

    @Test func upstreamDownIs502() async throws {
        try await GatewayFixture.run(upstreamURL: "http://127.0.0.1:9") { (f: GatewayFixture) async throws in
            let response = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody())
            #expect(response.status == .badGateway)
            #expect((GatewayFixture.json(response)["error"] as? [String: Any])?["type"] as? String == "api_error")
            #expect(f.gateway.limiter.inFlight(scope: "account:acct_card") == 0)
            #expect(try f.records().first?.status == 502)
        }
    }

    @Test func slowUpstreamIs504AfterTheTimeout() async throws {
        try await GatewayFixture.run(stub: UpstreamStubConfig(delayMs: 1500), configure: { $0.upstream.timeoutMs = 200 }) { (f: GatewayFixture) async throws in
            let started = ContinuousClock.now
            let response = try await f.chat(f.secrets["card"], GatewayFixture.openAIBody())
            #expect(response.status == .gatewayTimeout)
            #expect(ContinuousClock.now - started < .milliseconds(1400))
            #expect((GatewayFixture.json(response)["error"] as? [String: Any])?["type"] as? String == "server_error")
        }
    }

    @Test func stalledBodyIs504AfterTheTimeout() async throws {
        // The head comes at once, the body never within the timeout: AsyncHTTPClient's deadline alone would
        // have let this wait for the whole 1.5 s.
        try await GatewayFixture.run(stub: UpstreamStubConfig(bodyDelayMs: 1500), configure: { $0.upstream.timeoutMs = 250 }) { (f: GatewayFixture) async throws in
            let started = ContinuousClock.now
            let response = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody())
            #expect(response.status == .gatewayTimeout)
            #expect(ContinuousClock.now - started < .milliseconds(1200))
            #expect(f.gateway.limiter.inFlight(scope: "account:acct_card") == 0)
            #expect(try f.records().first?.status == 504)
        }
    }

    @Test func stalledStreamEndsWithAnErrorEventInTheAPIsFormat() async throws {
        try await GatewayFixture.run(stub: UpstreamStubConfig(eventDelayMs: 1500), configure: { $0.upstream.timeoutMs = 250 }) { (f: GatewayFixture) async throws in
            let started = ContinuousClock.now
            let anthropic = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(stream: true))
            #expect(anthropic.status == .ok)
            #expect(ContinuousClock.now - started < .milliseconds(1200))
            #expect(String(buffer: anthropic.body).hasSuffix("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"the model API stopped answering mid-stream\"}}\n\n"))
            let openai = try await f.chat(f.secrets["card"], GatewayFixture.openAIBody(stream: true))
            #expect(String(buffer: openai.body).contains("data: {\"error\":{"))
            #expect(!String(buffer: openai.body).contains("[DONE]"))
            #expect(f.gateway.limiter.inFlight(scope: "account:acct_card") == 0)
        }
    }

    @Test func modelsAreNarrowedToTheTier() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            let response = try await f.client.execute(
                uri: "/v1/models", method: .get, headers: [.authorization: "Bearer \(f.secrets["free"]!)"]) { $0 }
            #expect(response.status == .ok)
            let ids = (GatewayFixture.json(response)["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(ids == ["stub-small"])
        }
    }

    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(), headers: [HTTPField.Name("x-forwarded-for")!: "198.51.100.7"])
            #expect(try f.records().first?.ip == "127.0.0.1")
        }
        try await GatewayFixture.run(configure: { $0.trustedProxies = [CIDR("127.0.0.0/8")!, CIDR("10.0.0.0/8")!] }) { (f: GatewayFixture) async throws in
            _ = try await f.messages(
                f.secrets["card"], GatewayFixture.anthropicBody(),
                headers: [HTTPField.Name("x-forwarded-for")!: "203.0.113.9, 198.51.100.7, 10.1.2.3"])
            #expect(try f.records().first?.ip == "198.51.100.7")
        }
    }

    @Test func tlsFingerprintIsRecordedOnlyFromTrustedProxies() async throws {
        let ja4 = "t13d1516h2_8daaf6152771_02713d6af862"
        let header: HTTPFields = [HTTPField.Name("X-Client-JA4")!: ja4]
        // From a trusted proxy: recorded, header name matched without regard to case.
        try await GatewayFixture.run(configure: {
            $0.trustedProxies = [CIDR("127.0.0.0/8")!]
            $0.tlsFingerprintHeader = "x-client-ja4"
        }) { (f: GatewayFixture) async throws in
            _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(), headers: header)
            _ = try await f.messages(
                f.secrets["card"], GatewayFixture.anthropicBody(),
                headers: [HTTPField.Name("x-client-ja4")!: String(repeating: "f", count: 500)])
            _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody())
            let records = try f.records()
            #expect(records.count == 3)
            #expect(records.contains { $0.tlsFingerprint == ja4 })
            // A value longer than a fingerprint is cut to 128 characters, not stored whole.
            #expect(records.contains { $0.tlsFingerprint == String(repeating: "f", count: 128) })
            #expect(records.filter { $0.tlsFingerprint == nil }.count == 1)
        }
        // From a peer that is not a trusted proxy: ignored, as a client could name any fingerprint.
        try await GatewayFixture.run(configure: {
            $0.trustedProxies = [CIDR("10.0.0.0/8")!]
            $0.tlsFingerprintHeader = "x-client-ja4"
        }) { (f: GatewayFixture) async throws in
            _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(), headers: header)
            #expect(try f.records().first.map { $0.tlsFingerprint == nil } == true)
        }
        // Not configured: never read.
        try await GatewayFixture.run(configure: { $0.trustedProxies = [CIDR("127.0.0.0/8")!] }) { (f: GatewayFixture) async throws in
            _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(), headers: header)
            #expect(try f.records().first.map { $0.tlsFingerprint == nil } == true)
        }
    }

    @Test func geofencingDeniesCountriesAndAnonymisersPerTier() async throws {
        let intel = RangeTableIntelligence([
            (CIDR("198.51.100.0/24")!, AddressInfo(country: "KP")),
            (CIDR("203.0.113.0/24")!, AddressInfo(country: "DE", asn: 64500, kind: "vpn")),
            (CIDR("192.0.2.0/24")!, AddressInfo(country: "FR", asn: 64501, kind: "residential")),
        ])
        try await GatewayFixture.run(configure: { config in
            config.trustedProxies = [CIDR("127.0.0.1")!]
            config.tiers[.card]!.denyCountries = ["KP"]
            config.tiers[.card]!.anonymizers = .deny
            config.perASN = LimitSet(requestsPerMinute: 1)
        }) { (f: GatewayFixture) async throws in
            let gateway = Gateway(
                config: f.gateway.config, store: f.store, httpClient: .shared, logger: f.gateway.logger,
                clock: .manual(start: 1_800_000_000), intel: intel, cacheSeconds: 0)
            try await buildGatewayApplication(gateway).test(.live) { client in
                func send(_ ip: String) async throws -> TestResponse {
                    try await client.execute(
                        uri: "/v1/messages", method: .post,
                        headers: [HTTPField.Name("x-api-key")!: f.secrets["card"]!, HTTPField.Name("x-forwarded-for")!: ip],
                        body: GatewayFixture.anthropicBody()) { $0 }
                }
                let kp = try await send("198.51.100.20")
                #expect(kp.status == .forbidden)
                #expect((GatewayFixture.json(kp)["error"] as? [String: Any])?["message"] as? String
                    == "requests from KP are not served for card-tier accounts")
                #expect(try await send("203.0.113.5").status == .forbidden)
                #expect(try await send("192.0.2.1").status == .ok)
                // Same ASN, limit 1 per minute.
                #expect(try await send("192.0.2.2").status == .tooManyRequests)
            }
        }
    }
}
