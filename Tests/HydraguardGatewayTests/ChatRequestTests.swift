import Foundation
import HydraguardGateway
import Testing

private func parse(_ json: String, _ flavor: APIFlavor) throws(GatewayError) -> ChatRequest {
    try ChatRequest(body: Data(json.utf8), flavor: flavor)
}

private func fieldError(_ json: String, _ flavor: APIFlavor) -> String? {
    do {
        _ = try parse(json, flavor)
        return nil
    } catch {
        return error.param ?? "(body)"
    }
}

@Test func anthropicRequestIsRead() throws {
    let r = try parse(
        #"{"model":"m","max_tokens":100,"stream":true,"system":"be brief","thinking":{"type":"enabled","budget_tokens":50},"tools":[{"name":"t"}],"messages":[{"role":"user","content":"hello there"},{"role":"assistant","content":[{"type":"text","text":"hi"}]},{"role":"user","content":[{"type":"text","text":"last turn"}]}]}"#,
        .anthropic)
    #expect(r.model == "m")
    #expect(r.maxTokens == 100)
    #expect(r.stream)
    #expect(r.thinking)
    #expect(r.tools == 1)
    #expect(r.system == "be brief")
    #expect(r.prompt == "last turn")
    #expect(r.estimatedInputTokens(charactersPerToken: 4) > 5)
}

@Test func openAIRequestIsRead() throws {
    let r = try parse(
        #"{"model":"gpt","messages":[{"role":"system","content":"sys"},{"role":"user","content":"q"}],"max_completion_tokens":7,"reasoning_effort":"high"}"#,
        .openai)
    #expect(r.maxTokens == 7)
    #expect(r.thinking)
    #expect(!r.stream)
    #expect(r.system == "sys")
    #expect(r.prompt == "q")
}

@Test func badRequestsNameTheField() {
    #expect(fieldError(#"{"max_tokens":1,"messages":[]}"#, .anthropic) == "model")
    #expect(fieldError(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, .anthropic) == "max_tokens")
    #expect(fieldError(#"{"model":"m","max_tokens":"ten","messages":[{"role":"user","content":"x"}]}"#, .anthropic) == "max_tokens")
    #expect(fieldError(#"{"model":"m","max_tokens":true,"messages":[{"role":"user","content":"x"}]}"#, .anthropic) == "max_tokens")
    #expect(fieldError(#"{"model":"m","max_tokens":5,"messages":[{"role":"robot","content":"x"}]}"#, .anthropic) == "messages[0].role")
    #expect(fieldError(#"{"model":"m","max_tokens":5,"messages":[{"role":"user","content":5}]}"#, .anthropic) == "messages[0].content")
    #expect(fieldError(#"{"model":"m","max_tokens":5,"stream":"yes","messages":[{"role":"user","content":"x"}]}"#, .anthropic) == "stream")
    #expect(fieldError(#"{"model":"m","messages":"hi"}"#, .openai) == "messages")
    #expect(fieldError(#"{"model":"m","messages":[{"role":"user","content":"x"}],"tools":{}}"#, .openai) == "tools")
    #expect(fieldError("not json", .openai) == "(body)")
    #expect(fieldError("[1]", .openai) == "(body)")
}

@Test func degradeAndCapsRewriteTheBody() throws {
    var r = try parse(
        #"{"model":"m","max_tokens":4000,"thinking":{"type":"enabled","budget_tokens":50},"messages":[{"role":"user","content":"x"}]}"#,
        .anthropic)
    r.withholdReasoning()
    r.capOutput(at: 256)
    #expect(r.maxTokens == 256)
    #expect(!r.thinking)
    var o = try parse(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, .openai)
    #expect(o.maxTokens == nil)
    o.capOutput(at: 64)
    #expect(o.maxTokens == 64)
    var small = try parse(#"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"x"}]}"#, .anthropic)
    small.capOutput(at: 64)
    #expect(small.maxTokens == 10)
}

@Test func blocksOtherThanTextCountTowardTheEstimateButStayOutOfThePrompt() throws {
    let image = String(repeating: "A", count: 4000)
    let r = try parse(
        #"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text","text":"what is this?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"\#(image)"}}]}]}"#,
        .anthropic)
    #expect(r.prompt == "what is this?")
    // The image's JSON (over 4,000 bytes) counts: about a thousand tokens at four characters a token.
    #expect(r.inputCharacters > 4000)
    #expect(r.estimatedInputTokens(charactersPerToken: 4) > 1000)
    // Text counts by Unicode scalars, so a non-Latin prompt is not overcounted by its UTF-8 bytes.
    let cjk = try parse(#"{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"你好世界"}]}"#, .anthropic)
    #expect(cjk.inputCharacters == 4 + 16)
}
