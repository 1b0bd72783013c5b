import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
import NIOHTTP1

/// Settings of ``buildUpstreamStubApplication(_:logger:)``.
public struct UpstreamStubConfig: Sendable {
    public var host: String
    public var port: Int
    /// Wait before answering (to test the gateway's 504).
    public var delayMs: Int
    /// Wait between streamed events.
    public var eventDelayMs: Int
    /// Send the head of a non-streamed answer at once and its body this much later (a stalled body).
    public var bodyDelayMs: Int
    /// Models `GET /v1/models` lists.
    public var models: [String]

    public init(host: String = "127.0.0.1", port: Int = 9000, delayMs: Int = 0, eventDelayMs: Int = 0,
                bodyDelayMs: Int = 0, models: [String] = ["stub-small", "stub-large", "stub-reasoner"]) {
        self.bodyDelayMs = bodyDelayMs
        self.host = host
        self.port = port
        self.delayMs = delayMs
        self.eventDelayMs = eventDelayMs
        self.models = models
    }
}

/// A small model API that speaks Anthropic Messages and OpenAI Chat Completions, streamed or not, with
/// deterministic text: the same request always gets the same words. Usage counts are real counts of
/// the stub's tokens, which are words: input tokens are the words of the system prompt, messages and
/// tool definitions; output tokens are the words it writes (never more than `max_tokens`).
/// A request with `thinking` (Anthropic) or `reasoning_effort` (OpenAI) also gets visible reasoning.
public func buildUpstreamStubApplication(_ config: UpstreamStubConfig, logger: Logger) -> some ApplicationProtocol {
    // Every route is answered by the child channel, on NIO's HTTP/1.1 pipeline (as the gateway's are), so
    // that the stub costs the benchmark's shared cores little; the router is only what Hummingbird's type
    // asks for.
    let stub = UpstreamStub(config: config)
    return Application(
        router: Router(),
        server: HTTPServerBuilder { _ in ResponderChildChannel(responder: stub) },
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
        logger: logger)
}

struct UpstreamStub: HTTPResponder {
    let config: UpstreamStubConfig

    var maxBodyBytes: Int { 16 << 20 }
    /// A stub's streams end on their own.
    var shutdownTimeout: TimeAmount? { nil }

    static let vocabulary = [
        "the", "model", "answers", "with", "careful", "words", "about", "your", "question", "and", "gives", "a",
        "clear", "example", "of", "how", "it", "works", "in", "practice", "so", "that", "you", "can", "check",
        "each", "step", "yourself", "before", "relying", "on", "result",
    ]

    func serve(_ request: GatewayRequest, on loop: any EventLoop, reply: @escaping (GatewayAnswer) -> Void) {
        serve(request, on: loop).assumeIsolated().whenComplete { reply((try? $0.get()) ?? Gateway.internalErrorAnswer) }
    }

    private func serve(_ request: GatewayRequest, on loop: any EventLoop) -> EventLoopFuture<GatewayAnswer> {
        switch (request.head.method, request.path) {
        case (.POST, "/v1/messages"): return answer(request.body, openAI: false, on: loop)
        case (.POST, "/v1/chat/completions"): return answer(request.body, openAI: true, on: loop)
        case (.GET, "/v1/models"): return loop.makeSucceededFuture(models())
        default:
            return loop.makeSucceededFuture(
                Self.error(request.head.anthropicVersion == nil, .notFound, "no route for \(request.path)"))
        }
    }

    func models() -> GatewayAnswer {
        let list = config.models.map {
            "{\"id\":\"\($0)\",\"object\":\"model\",\"type\":\"model\",\"display_name\":\"\($0)\",\"created\":0,"
                + "\"created_at\":\"2026-01-01T00:00:00Z\",\"owned_by\":\"stub\"}"
        }
        let body = "{\"object\":\"list\",\"data\":[\(list.joined(separator: ","))],\"has_more\":false,"
            + "\"first_id\":\"\(config.models.first ?? "")\",\"last_id\":\"\(config.models.last ?? "")\"}"
        return .whole(.ok, ["content-type": "application/json"], ByteBuffer(string: body))
    }

    /// Words in the text of a value: strings, lists, and the `text`, `content` and `description` fields of
    /// objects.
    static func words(in value: JSONValue?) -> Int {
        switch value {
        case .string(let s): return s.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).count
        case .array(let list): return list.reduce(0) { $0 + words(in: $1) }
        case .object(let object):
            return object.entries.reduce(0) { sum, entry in
                sum + (entry.key == "text" || entry.key == "content" || entry.key == "description" ? words(in: entry.value) : 0)
            }
        default: return 0
        }
    }

    static func error(_ openAI: Bool, _ status: HTTPResponseStatus, _ message: String) -> GatewayAnswer {
        let escaped = message.replacingOccurrences(of: "\"", with: "'")
        let body = openAI
            ? "{\"error\":{\"message\":\"\(escaped)\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}"
            : "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"\(escaped)\"}}"
        return .whole(status, ["content-type": "application/json"], ByteBuffer(string: body))
    }

    func answer(_ data: ByteBuffer, openAI: Bool, on loop: any EventLoop) -> EventLoopFuture<GatewayAnswer> {
        let answer = self.answer(data, openAI: openAI)
        guard config.delayMs > 0 else { return loop.makeSucceededFuture(answer) }
        return loop.scheduleTask(in: .milliseconds(Int64(config.delayMs))) { answer }.futureResult
    }

    func answer(_ data: ByteBuffer, openAI: Bool) -> GatewayAnswer {
        guard let parsed = try? JSONValue.parse(data.readableBytesView), let object = parsed.objectValue else {
            return Self.error(openAI, .badRequest, "body is not a JSON object")
        }
        guard let model = object["model"]?.stringValue else { return Self.error(openAI, .badRequest, "model: required") }
        guard let messages = object["messages"], messages.arrayValue != nil else {
            return Self.error(openAI, .badRequest, "messages: required")
        }

        let inputTokens = max(1, Self.words(in: messages) + Self.words(in: object["system"]) + Self.words(in: object["tools"]))
        let cap = object["max_completion_tokens"]?.wholeNumber ?? object["max_tokens"]?.wholeNumber ?? 64
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in data.readableBytesView { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        let wanted = 8 + Int(hash % 24)
        let count = max(1, min(cap, wanted))
        let stopped = count < wanted
        var words: [String] = []
        words.reserveCapacity(count)
        for i in 0..<count {
            let mixed: UInt64 = (hash >> UInt64(i % 48)) &+ UInt64(i) &* 7
            words.append(Self.vocabulary[Int(mixed % UInt64(Self.vocabulary.count))])
        }
        let thinking = openAI
            ? object["reasoning_effort"] != nil : object["thinking"]?.objectValue?["type"]?.stringValue == "enabled"
        let stream = object["stream"] == .bool(true)
        let id = String(hash, radix: 36)
        let includeUsage = object["stream_options"]?.objectValue?["include_usage"] == .bool(true)

        if !stream {
            let text = words.joined(separator: " ")
            let body: String
            if openAI {
                let reasoning = thinking ? ",\"reasoning_content\":\"Let me think step by step.\"" : ""
                body = "{\"id\":\"chatcmpl-\(id)\",\"object\":\"chat.completion\",\"created\":0,\"model\":\"\(model)\","
                    + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"\(text)\"\(reasoning)},"
                    + "\"finish_reason\":\"\(stopped ? "length" : "stop")\"}],"
                    + "\"usage\":{\"prompt_tokens\":\(inputTokens),\"completion_tokens\":\(count),\"total_tokens\":\(inputTokens + count)}}"
            } else {
                let thinkingBlock = thinking
                    ? "{\"type\":\"thinking\",\"thinking\":\"Let me think step by step.\",\"signature\":\"stub\"}," : ""
                body = "{\"id\":\"msg_\(id)\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"\(model)\","
                    + "\"content\":[\(thinkingBlock){\"type\":\"text\",\"text\":\"\(text)\"}],"
                    + "\"stop_reason\":\"\(stopped ? "max_tokens" : "end_turn")\",\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":\(inputTokens),\"output_tokens\":\(count)}}"
            }
            let bodyDelay = config.bodyDelayMs
            if bodyDelay > 0 {
                // The head at once, the body (chunked) later: a stalled body.
                return .stream(.ok, ["content-type": "application/json"]) { writer in
                    try? await Task.sleep(for: .milliseconds(bodyDelay))
                    try? await writer.write(ByteBuffer(string: body))
                    try? await writer.finish()
                }
            }
            return .whole(.ok, ["content-type": "application/json"], ByteBuffer(string: body))
        }

        var events: [String] = []
        if openAI {
            func chunk(_ choices: String, usage: String = "") -> String {
                "data: {\"id\":\"chatcmpl-\(id)\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"\(model)\","
                    + "\"choices\":\(choices)\(usage)}\n\n"
            }
            events.append(chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]"))
            for (i, word) in words.enumerated() {
                events.append(chunk("[{\"index\":0,\"delta\":{\"content\":\"\(i == 0 ? "" : " ")\(word)\"},\"finish_reason\":null}]"))
            }
            events.append(chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"\(stopped ? "length" : "stop")\"}]"))
            if includeUsage {
                events.append(chunk(
                    "[]", usage: ",\"usage\":{\"prompt_tokens\":\(inputTokens),\"completion_tokens\":\(count),"
                        + "\"total_tokens\":\(inputTokens + count)}"))
            }
            events.append("data: [DONE]\n\n")
        } else {
            func event(_ name: String, _ data: String) -> String { "event: \(name)\ndata: \(data)\n\n" }
            events.append(event(
                "message_start",
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_\(id)\",\"type\":\"message\",\"role\":\"assistant\","
                    + "\"model\":\"\(model)\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":\(inputTokens),\"output_tokens\":1}}}"))
            var index = 0
            if thinking {
                events.append(event(
                    "content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}"))
                events.append(event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
                        + "\"thinking\":\"Let me think step by step.\"}}"))
                events.append(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"))
                index = 1
            }
            events.append(event(
                "content_block_start",
                "{\"type\":\"content_block_start\",\"index\":\(index),\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"))
            for (i, word) in words.enumerated() {
                events.append(event(
                    "content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":\(index),\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"\(i == 0 ? "" : " ")\(word)\"}}"))
            }
            events.append(event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":\(index)}"))
            events.append(event(
                "message_delta",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"\(stopped ? "max_tokens" : "end_turn")\","
                    + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":\(count)}}"))
            events.append(event("message_stop", "{\"type\":\"message_stop\"}"))
        }
        let delay = config.eventDelayMs
        let frozen = events
        return .stream(.ok, ["content-type": "text/event-stream", "cache-control": "no-cache"]) { writer in
            do {
                for e in frozen {
                    if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
                    try await writer.write(ByteBuffer(string: e))
                }
                try await writer.finish()
            } catch {
                // The client went away: the stream ends with it.
            }
        }
    }
}
