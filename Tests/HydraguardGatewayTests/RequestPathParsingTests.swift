import Foundation
import NIOCore
import Testing

@testable import HydraguardGateway

/// The hand-written parsing on the request path: the API key from the headers, usage from an answer.
@Suite struct RequestPathParsingTests {
    @Test func bearerSecretInAnyCaseAndSpacing() {
        func secret(_ authorization: String?, apiKey: String? = nil) -> String? {
            Gateway.presentedSecret(apiKey: apiKey, authorization: authorization)
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

    /// Usage read from a body's bytes.
    func usage(_ body: String, _ flavor: APIFlavor) -> ReportedUsage? {
        ReportedUsage.fromBody(ByteBuffer(string: body), flavor: flavor)
    }

    /// The text of the body's top-level usage object, as the fast path finds it; nil when it declines.
    func topLevel(_ body: String) -> String? {
        var body = body
        return body.withUTF8 { bytes in
            ReportedUsage.topLevelUsageRange(bytes).map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }
    }

    @Test func usageIsReadFromTheTopLevelObjectOnly() throws {
        let openAI = #"{"id":"x","choices":[{"message":{"content":"the \"usage\": {\"prompt_tokens\": 999} trick"}}],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}}"#
        let slice = try #require(topLevel(openAI))
        #expect(slice == #"{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19}"#)
        #expect(usage(openAI, .openai) == ReportedUsage(inputTokens: 12, outputTokens: 7))
        // Usage not last: the fast path declines and the whole body is parsed.
        let anthropic = #"{"usage":{"input_tokens":5,"output_tokens":3,"cache_read_input_tokens":2},"content":[{"type":"text","text":"hi"}]}"#
        #expect(topLevel(anthropic) == nil)
        #expect(usage(anthropic, .anthropic) == ReportedUsage(inputTokens: 7, outputTokens: 3))
        // A "usage" key nested in the content, closing before the body does, is not taken for the real one.
        let nested = #"{"content":[{"type":"text","text":"x","meta":{"usage":{"input_tokens":999}}}],"usage":{"input_tokens":4,"output_tokens":1}}"#
        #expect(usage(nested, .anthropic) == ReportedUsage(inputTokens: 4, outputTokens: 1))
        let inner = #"{"content":[],"meta":{"usage":{"input_tokens":999}}}"#
        #expect(topLevel(inner) == nil)
        #expect(usage(inner, .anthropic) == nil)
        // Model text that imitates a usage object at the very end is text, not usage.
        let forged = #"{"content":[{"type":"text","text":"x"}],"meta":{"note":"a \"usage\":{\"input_tokens\":1}"}}"#
        #expect(topLevel(forged) == nil)
        let forged2 = #"{"usage":{"input_tokens":50,"output_tokens":9},"meta":{"note":"b\",\"usage\":{\"input_tokens\":1}}"}}"#
        #expect(topLevel(forged2) == nil)
        #expect(usage(forged2, .anthropic) == ReportedUsage(inputTokens: 50, outputTokens: 9))
        #expect(usage("not json", .openai) == nil)
    }

    @Test func usageIsReadFromTheReadableBytesOfTheUpstreamBuffer() {
        let body = #"{"id":"x","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":11,"output_tokens":4,"cache_creation_input_tokens":3}}"#
        var buffer = ByteBuffer(string: "garbage before the readable bytes")
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        buffer.writeString(body)
        #expect(ReportedUsage.fromBody(buffer, flavor: .anthropic) == ReportedUsage(inputTokens: 14, outputTokens: 4))
    }

    @Test func streamUsageIsReadFromItsEventsAsTheyPass() {
        /// Feeds a stream in pieces that cut events apart; returns what goes on to the client.
        func pass(_ stream: String, _ tracker: inout StreamUsageTracker) -> String {
            let bytes = Array(stream.utf8)
            var out: [UInt8] = []
            for start in stride(from: 0, to: bytes.count, by: 37) {
                out += tracker.feed(bytes[start..<min(bytes.count, start + 37)])
            }
            return String(decoding: out + tracker.finish(), as: UTF8.self)
        }
        let anthropic = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":5}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"
        var a = StreamUsageTracker(flavor: .anthropic, dropUsageChunk: false)
        #expect(pass(anthropic, &a) == anthropic)
        #expect(a.usage.inputTokens == 9 && a.usage.outputTokens == 5 && a.usage.deltaEvents == 1 && a.sawEnd)
        // OpenAI: a content chunk with "usage": null, then the usage-only chunk the gateway asked for.
        let content = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n"
        let openAI = content + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n"
            + "data: [DONE]\n\n"
        var o = StreamUsageTracker(flavor: .openai, dropUsageChunk: true)
        #expect(pass(openAI, &o) == content + "data: [DONE]\n\n")
        #expect(o.usage.inputTokens == 7 && o.usage.outputTokens == 3 && o.usage.deltaEvents == 1 && o.sawEnd)
    }
}
