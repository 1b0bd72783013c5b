import Foundation
public import NIOCore

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
    public static func fromBody(_ buffer: ByteBuffer, flavor: APIFlavor) -> ReportedUsage? {
        buffer.withUnsafeReadableBytes { fromBody(bytes: $0.assumingMemoryBound(to: UInt8.self), flavor: flavor) }
    }

    private static func fromBody(bytes: UnsafeBufferPointer<UInt8>, flavor: APIFlavor) -> ReportedUsage? {
        // Only the top-level `usage` object is parsed (answers are long, their usage is short): it is the
        // last `"usage"` key whose object closes where the body's does. Anything else parses the whole body.
        if let range = topLevelUsageRange(bytes),
            let usage = (try? JSONValue.parse(UnsafeBufferPointer(rebasing: bytes[range])))?.objectValue
        {
            return fromUsageObject(usage, flavor: flavor)
        }
        guard let usage = (try? JSONValue.parse(bytes))?["usage"]?.objectValue else { return nil }
        return fromUsageObject(usage, flavor: flavor)
    }

    static func fromUsageObject(_ usage: JSONObject, flavor: APIFlavor) -> ReportedUsage {
        func count(_ key: String) -> Int? {
            guard let value = usage[key], case .number = value else { return nil }
            return value.wholeNumber
        }
        switch flavor {
        case .anthropic:
            let input = count("input_tokens").map {
                $0 + (count("cache_read_input_tokens") ?? 0) + (count("cache_creation_input_tokens") ?? 0)
            }
            return ReportedUsage(inputTokens: input, outputTokens: count("output_tokens"))
        case .openai:
            return ReportedUsage(inputTokens: count("prompt_tokens"), outputTokens: count("completion_tokens"))
        }
    }

    private static let usageKey = Array("\"usage\"".utf8)

    /// Where `{...}` after the body's last `"usage":` is in `b`, when only whitespace and the body's
    /// closing brace follow that object (so it is the top-level key, not one inside the content); nil
    /// otherwise.
    static func topLevelUsageRange(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        let key = usageKey
        var end = b.count
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        while end > 0, isSpace(b[end - 1]) { end -= 1 }
        guard end > 0, b[end - 1] == UInt8(ascii: "}") else { return nil }
        end -= 1  // the body's closing brace
        while end > 0, isSpace(b[end - 1]) { end -= 1 }
        guard end > 0, b[end - 1] == UInt8(ascii: "}") else { return nil }  // the usage object's
        // The last "usage" key before it.
        var i = end - key.count
        while i >= 0 {
            if b[i] == 0x22, (0..<key.count).allSatisfy({ b[i + $0] == key[$0] }) { break }
            i -= 1
        }
        guard i >= 0 else { return nil }
        // A key, not text inside a string: inside one every quote is escaped, so only a structural
        // quote can follow a `,` or `{`.
        var before = i - 1
        while before >= 0, isSpace(b[before]) { before -= 1 }
        guard before >= 0, b[before] == UInt8(ascii: ",") || b[before] == UInt8(ascii: "{") else { return nil }
        var j = i + key.count
        while j < end, isSpace(b[j]) { j += 1 }
        guard j < end, b[j] == UInt8(ascii: ":") else { return nil }
        j += 1
        while j < end, isSpace(b[j]) { j += 1 }
        guard j < end, b[j] == UInt8(ascii: "{") else { return nil }
        // The object must close exactly at `end`: walk it, minding strings.
        var depth = 0
        var k = j
        var inString = false
        while k < end {
            let c = b[k]
            if inString {
                if c == 0x5C { k += 1 } else if c == 0x22 { inString = false }
            } else if c == 0x22 {
                inString = true
            } else if c == UInt8(ascii: "{") {
                depth += 1
            } else if c == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { break }
            }
            k += 1
        }
        guard depth == 0, k == end - 1 else { return nil }
        return j..<end
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
            guard data.contains("\"usage\""), let object = try? JSONValue.parse(data.utf8) else { return true }
            if let u = object["usage"]?.objectValue ?? object["message"]?["usage"]?.objectValue {
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
            guard let object = try? JSONValue.parse(data.utf8) else { return true }
            if let u = object["usage"]?.objectValue {
                let reported = ReportedUsage.fromUsageObject(u, flavor: .openai)
                usage.inputTokens = reported.inputTokens ?? usage.inputTokens
                usage.outputTokens = reported.outputTokens ?? usage.outputTokens
                let choices = object["choices"]?.arrayValue ?? []
                if dropUsageChunk, choices.isEmpty { return false }
            } else if let choices = object["choices"]?.arrayValue, !choices.isEmpty {
                usage.deltaEvents += 1
            }
            return true
        }
    }
}
