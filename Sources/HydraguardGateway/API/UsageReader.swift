public import Foundation

/// Token counts an upstream reported (or, for a stream cut short, what was seen of it).
public struct ReportedUsage: Sendable, Hashable {
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Content events seen in a stream: the output estimate when the stream ended before its usage.
    public var deltaEvents = 0

    public init(inputTokens: Int? = nil, outputTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    /// Usage from a non-streamed answer's JSON (`usage.input_tokens`/`output_tokens`, or OpenAI's
    /// `usage.prompt_tokens`/`completion_tokens`).
    public static func fromBody(_ data: Data, flavor: APIFlavor) -> ReportedUsage? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let usage = object["usage"] as? [String: Any]
        else { return nil }
        return fromUsageObject(usage, flavor: flavor)
    }

    static func fromUsageObject(_ usage: [String: Any], flavor: APIFlavor) -> ReportedUsage {
        switch flavor {
        case .anthropic:
            let input = (usage["input_tokens"] as? Int).map {
                $0 + (usage["cache_read_input_tokens"] as? Int ?? 0) + (usage["cache_creation_input_tokens"] as? Int ?? 0)
            }
            return ReportedUsage(inputTokens: input, outputTokens: usage["output_tokens"] as? Int)
        case .openai:
            return ReportedUsage(inputTokens: usage["prompt_tokens"] as? Int, outputTokens: usage["completion_tokens"] as? Int)
        }
    }
}

/// Follows a server-sent-event stream as it passes through: reads usage from it and decides what to
/// forward. Events go out whole, as soon as they are complete.
struct StreamUsageTracker {
    let flavor: APIFlavor
    /// OpenAI: drop the usage-only chunk the gateway asked for on the client's behalf.
    let dropUsageChunk: Bool
    private(set) var usage = ReportedUsage()
    private(set) var sawEnd = false
    private var pending: [UInt8] = []

    init(flavor: APIFlavor, dropUsageChunk: Bool) {
        self.flavor = flavor
        self.dropUsageChunk = dropUsageChunk
    }

    /// Takes bytes from upstream; returns the bytes to send on now.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [UInt8] {
        pending.append(contentsOf: bytes)
        var out: [UInt8] = []
        var start = 0
        var i = 0
        let n = pending.count
        while i + 1 < n {
            if pending[i] == 0x0A, pending[i + 1] == 0x0A || (i + 2 < n && pending[i + 1] == 0x0D && pending[i + 2] == 0x0A) {
                let end = pending[i + 1] == 0x0A ? i + 2 : i + 3
                let event = pending[start..<end]
                if inspect(event) { out.append(contentsOf: event) }
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start > 0 { pending.removeFirst(start) }
        return out
    }

    /// Whatever is left when upstream ends (an incomplete last event is passed on as is).
    mutating func finish() -> [UInt8] {
        defer { pending.removeAll() }
        return pending
    }

    /// Reads one event; returns whether to forward it.
    private mutating func inspect(_ event: ArraySlice<UInt8>) -> Bool {
        // Find the data line(s).
        guard let text = String(bytes: event, encoding: .utf8) else { return true }
        var data = ""
        var name = ""
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if line.hasPrefix("data:") {
                data += line.dropFirst(5).drop(while: { $0 == " " })
            } else if line.hasPrefix("event:") {
                name = String(line.dropFirst(6).drop(while: { $0 == " " }))
            }
        }
        switch flavor {
        case .anthropic:
            if name == "content_block_delta" || data.contains("\"content_block_delta\"") {
                usage.deltaEvents += 1
                return true
            }
            if name == "message_stop" || data.contains("\"message_stop\"") { sawEnd = true }
            guard data.contains("\"usage\""),
                let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
            else { return true }
            let usageObject = (object["usage"] as? [String: Any])
                ?? ((object["message"] as? [String: Any])?["usage"] as? [String: Any])
            if let u = usageObject {
                let reported = ReportedUsage.fromUsageObject(u, flavor: .anthropic)
                if let input = reported.inputTokens { usage.inputTokens = input }
                if let output = reported.outputTokens { usage.outputTokens = output }
            }
            return true
        case .openai:
            if data == "[DONE]" {
                sawEnd = true
                return true
            }
            guard data.contains("\"usage\"") else {
                if data.contains("\"content\"") || data.contains("\"tool_calls\"") { usage.deltaEvents += 1 }
                return true
            }
            guard let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] else {
                return true
            }
            if let u = object["usage"] as? [String: Any] {
                let reported = ReportedUsage.fromUsageObject(u, flavor: .openai)
                usage.inputTokens = reported.inputTokens ?? usage.inputTokens
                usage.outputTokens = reported.outputTokens ?? usage.outputTokens
                let choices = object["choices"] as? [Any] ?? []
                if dropUsageChunk, choices.isEmpty { return false }
            } else if let choices = object["choices"] as? [Any], !choices.isEmpty {
                usage.deltaEvents += 1
            }
            return true
        }
    }
}
