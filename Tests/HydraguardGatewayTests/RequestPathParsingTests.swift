import Foundation
import HTTPTypes
import Testing

@testable import HydraguardGateway

/// The hand-written parsing on the request path: the API key from the headers, usage from an answer.
@Suite struct RequestPathParsingTests {
    @Test func bearerSecretInAnyCaseAndSpacing() {
        func secret(_ authorization: String?, apiKey: String? = nil) -> String? {
            var headers = HTTPFields()
            if let authorization { headers[.authorization] = authorization }
            if let apiKey { headers[HTTPField.Name("x-api-key")!] = apiKey }
            return Gateway.presentedSecret(headers)
        }
        #expect(secret("Bearer hg_abc") == "hg_abc")
        #expect(secret("bearer hg_abc") == "hg_abc")
        #expect(secret("BEARER   hg_abc \t") == "hg_abc")
        #expect(secret("Basic aGc6YWJj") == nil)
        #expect(secret("Bearer") == nil)
        #expect(secret("Bearer    ") == nil)
        #expect(secret("Bearerhg_abc") == nil)
        #expect(secret(nil) == nil)
        #expect(secret("Bearer other", apiKey: "hg_key") == "hg_key")
    }

    @Test func usageIsReadFromTheTopLevelObjectOnly() throws {
        let openAI = #"{"id":"x","choices":[{"message":{"content":"the \"usage\": {\"prompt_tokens\": 999} trick"}}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#
        let slice = try #require(ReportedUsage.topLevelUsageObject(Data(openAI.utf8)))
        #expect(String(decoding: slice, as: UTF8.self) == #"{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}"#)
        #expect(ReportedUsage.fromBody(Data(openAI.utf8), flavor: .openai) == ReportedUsage(inputTokens: 12, outputTokens: 7))
        // Usage not last: the fast path declines and the whole body is parsed.
        let anthropic = #"{"usage":{"input_tokens":5,"output_tokens":3,"cache_read_input_tokens":2},"content":[{"type":"text","text":"hi"}]}"#
        #expect(ReportedUsage.topLevelUsageObject(Data(anthropic.utf8)) == nil)
        #expect(ReportedUsage.fromBody(Data(anthropic.utf8), flavor: .anthropic) == ReportedUsage(inputTokens: 7, outputTokens: 3))
        // A "usage" key nested in the content, closing before the body does, is not taken for the real one.
        let nested = #"{"content":[{"type":"text","text":"x","meta":{"usage":{"input_tokens":999}}}],"usage":{"input_tokens":4,"output_tokens":1}}"#
        #expect(ReportedUsage.fromBody(Data(nested.utf8), flavor: .anthropic) == ReportedUsage(inputTokens: 4, outputTokens: 1))
        let inner = #"{"content":[],"meta":{"usage":{"input_tokens":999}}}"#
        #expect(ReportedUsage.topLevelUsageObject(Data(inner.utf8)) == nil)
        #expect(ReportedUsage.fromBody(Data(inner.utf8), flavor: .anthropic) == nil)
        // Model text that imitates a usage object at the very end is text, not usage.
        let forged = #"{"content":[{"type":"text","text":"x"}],"meta":{"note":"a \"usage\":{\"input_tokens\":1}"}}"#
        #expect(ReportedUsage.topLevelUsageObject(Data(forged.utf8)) == nil)
        let forged2 = #"{"usage":{"input_tokens":50,"output_tokens":9},"meta":{"note":"b\",\"usage\":{\"input_tokens\":1}}"}}"#
        #expect(ReportedUsage.topLevelUsageObject(Data(forged2.utf8)) == nil)
        #expect(ReportedUsage.fromBody(Data(forged2.utf8), flavor: .anthropic) == ReportedUsage(inputTokens: 50, outputTokens: 9))
        #expect(ReportedUsage.fromBody(Data("not json".utf8), flavor: .openai) == nil)
    }
}
