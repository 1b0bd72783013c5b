import Foundation
import HydraguardGateway
import HydraguardSimulator
import NIOCore
import Testing

/// Valid request bodies broken in seeded random ways: bytes flipped, cut, inserted, dropped or repeated,
/// and values swapped for JSON of another kind. No input may crash the gateway, leave a counter wrong, or
/// be answered outside the API's own format.
@Suite struct MutatedRequestTests {
    static let anthropic = Array(
        #"{"model":"stub-small","max_tokens":50,"stream":false,"system":"be brief","thinking":{"type":"enabled","budget_tokens":20},"tools":[{"name":"t","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hello"},{"role":"assistant","content":[{"type":"text","text":"hi"}]},{"role":"user","content":[{"type":"text","text":"say something"}]}]}"#
            .utf8)
    static let openAI = Array(
        #"{"model":"stub-small","stream":false,"max_completion_tokens":40,"reasoning_effort":"low","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"write two words"}]}]}"#
            .utf8)
    /// Bytes that matter to a JSON parser, and some that are not UTF-8 or not text.
    static let alphabet = Array(#"{}[]":,\ -+.eE0123456789truefalsn"#.utf8) + [0x00, 0x0A, 0x7F, 0xC3, 0xA9, 0xE2, 0x82, 0xFF]
    static let values = [
        "null", "true", "-1", "0", "1e999", "123456789012345678901234567890", "3.5", "\"\"", "\"x\"", "[]", "{}",
        "[null]", "{\"type\":7}", "\"\\ud800\"", "\"\\u0000\"", String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ]

    static func mutate(_ body: [UInt8], _ random: inout SeededRandom) -> [UInt8] {
        var bytes = body
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !bytes.isEmpty else { break }
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[at] = alphabet.randomElement(using: &random)!
            case 1: bytes.removeSubrange(at...)
            case 2: bytes.insert(contentsOf: (0..<Int.random(in: 1...4, using: &random)).map { _ in alphabet.randomElement(using: &random)! }, at: at)
            case 3: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...12, using: &random)))
            case 4: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...24, using: &random))], at: at)
            default:
                // A value (what follows a colon) swapped for JSON of another kind.
                let colons = bytes.indices.filter { bytes[$0] == UInt8(ascii: ":") }
                guard let colon = colons.randomElement(using: &random) else { break }
                var end = colon + 1
                var depth = 0
                var inString = false
                while end < bytes.count {
                    let b = bytes[end]
                    if inString {
                        if b == UInt8(ascii: "\\") { end += 1 } else if b == UInt8(ascii: "\"") { inString = false }
                    } else if b == UInt8(ascii: "\"") {
                        inString = true
                    } else if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                        depth += 1
                    } else if b == UInt8(ascii: "}") || b == UInt8(ascii: "]") {
                        if depth == 0 { break }
                        depth -= 1
                    } else if b == UInt8(ascii: ","), depth == 0 {
                        break
                    }
                    end += 1
                }
                bytes.replaceSubrange((colon + 1)..<min(end, bytes.count), with: Array(values.randomElement(using: &random)!.utf8))
            }
        }
        return bytes
    }

    @Test(arguments: [APIFlavor.anthropic, .openai])
    func parsingAMutatedBodyEitherReadsItOrNamesWhatIsWrong(_ flavor: APIFlavor) {
        var random = SeededRandom(seed: flavor == .anthropic ? 1 : 2)  // the same cases on every run
        var read = 0
        var refused = 0
        for _ in 0..<5000 {
            let body = Self.mutate(flavor == .anthropic ? Self.anthropic : Self.openAI, &random)
            do {
                let request = try ChatRequest(body: Data(body), flavor: flavor)
                #expect(request.estimatedInputTokens(charactersPerToken: 4) >= 0)
                read += 1
            } catch {
                #expect(error.kind == .invalidRequest)
                #expect(!error.message.isEmpty)
                refused += 1
            }
        }
        // Both outcomes occur, so the cases reach past the parser's first check.
        #expect(read > 100)
        #expect(refused > 1000)
    }

    @Test func theGatewayAnswersEveryMutatedRequestInItsAPIsFormatAndKeepsItsCounts() async throws {
        try await GatewayFixture.run { (f: GatewayFixture) async throws in
            var random = SeededRandom(seed: 42)
            let secret = try #require(f.secrets["enterprise"])
            var statuses: [Int] = []
            var answered = 0
            for i in 0..<400 {
                let anthropic = i % 2 == 0
                let body = ByteBuffer(bytes: Self.mutate(anthropic ? Self.anthropic : Self.openAI, &random))
                let r = anthropic ? try await f.messages(secret, body) : try await f.chat(secret, body)
                let code = Int(r.status.code)
                statuses.append(code)
                #expect([200, 400, 403].contains(code), "status \(code) for \(String(buffer: body))")
                if code == 200 {
                    answered += 1
                    if r.headers[.contentType]?.hasPrefix("text/event-stream") == true {
                        #expect(String(buffer: r.body).contains("data: "))
                    } else {
                        let json = GatewayFixture.json(r)
                        #expect(json[anthropic ? "type" : "object"] as? String == (anthropic ? "message" : "chat.completion"))
                    }
                } else {
                    let json = GatewayFixture.json(r)
                    let error = json["error"] as? [String: Any]
                    #expect(error?["message"] as? String != nil, "unformatted \(code) answer: \(String(buffer: r.body))")
                    if anthropic { #expect(json["type"] as? String == "error") }
                }
            }
            #expect(answered > 20)
            #expect(statuses.filter { $0 == 400 }.count > 100)
            // Nothing held: no request in flight, every one recorded once with the status it got.
            #expect(f.gateway.limiter.inFlight(scope: "account:acct_enterprise") == 0)
            #expect(try f.records().map(\.status).sorted() == statuses.sorted())
            #expect(try await f.messages(secret, GatewayFixture.anthropicBody()).status == .ok)
        }
    }
}
