public import Foundation

/// The parts of a Messages or Chat Completions request the gateway decides on, read from its JSON, with
/// the body to forward (rewritten only when the gateway changed something).
public struct ChatRequest: @unchecked Sendable {
    // @unchecked: `object` holds JSONSerialization values (immutable after parsing, never shared mutably).
    public var flavor: APIFlavor
    public var model: String
    /// The output cap the client asked for (nil when an OpenAI client gave none).
    public var maxTokens: Int?
    public var stream: Bool
    public var thinking: Bool
    public var tools: Int
    public var system: String?
    /// The last user turn's text.
    public var prompt: String?
    /// Characters of text the model will read (system, messages, tool definitions).
    public var inputCharacters: Int
    public var messageCount: Int
    /// An OpenAI stream client that asked for the final usage chunk itself.
    public var clientWantsStreamUsage: Bool
    var object: [String: Any]
    var rewritten = false

    /// Parses and checks a request body; errors are 400s naming the field.
    public init(body: Data, flavor: APIFlavor) throws(GatewayError) {
        guard let parsed = try? JSONSerialization.jsonObject(with: body, options: []) else {
            throw GatewayError(.invalidRequest, "the request body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw GatewayError(.invalidRequest, "the request body must be a JSON object")
        }
        self.flavor = flavor
        self.object = object
        func fail(_ field: String, _ message: String) -> GatewayError {
            GatewayError(.invalidRequest, "\(field): \(message)", param: field)
        }
        guard let modelValue = object["model"] else { throw fail("model", "required field is missing") }
        guard let model = modelValue as? String, !model.isEmpty else { throw fail("model", "expected a non-empty string") }
        self.model = model

        func integer(_ field: String) throws(GatewayError) -> Int? {
            guard let value = object[field], !(value is NSNull) else { return nil }
            guard let number = value as? NSNumber, !Self.isBool(number), number.doubleValue == number.doubleValue.rounded(),
                number.intValue >= 1
            else { throw fail(field, "expected a whole number >= 1") }
            return number.intValue
        }
        func boolean(_ field: String) throws(GatewayError) -> Bool? {
            guard let value = object[field], !(value is NSNull) else { return nil }
            guard let number = value as? NSNumber, Self.isBool(number) else { throw fail(field, "expected true or false") }
            return number.boolValue
        }

        switch flavor {
        case .anthropic:
            guard object["max_tokens"] != nil else { throw fail("max_tokens", "required field is missing") }
            maxTokens = try integer("max_tokens")
            if let thinkingValue = object["thinking"], !(thinkingValue is NSNull) {
                guard let t = thinkingValue as? [String: Any], let type = t["type"] as? String else {
                    throw fail("thinking", "expected an object with a `type`")
                }
                thinking = type == "enabled"
            } else {
                thinking = false
            }
            clientWantsStreamUsage = false
        case .openai:
            if let completionTokens = try integer("max_completion_tokens") {
                maxTokens = completionTokens
            } else {
                maxTokens = try integer("max_tokens")
            }
            if let effort = object["reasoning_effort"], !(effort is NSNull) {
                guard effort is String else { throw fail("reasoning_effort", "expected a string") }
                thinking = true
            } else {
                thinking = false
            }
            if let options = object["stream_options"], !(options is NSNull) {
                guard let o = options as? [String: Any] else { throw fail("stream_options", "expected an object") }
                clientWantsStreamUsage = (o["include_usage"] as? Bool) ?? false
            } else {
                clientWantsStreamUsage = false
            }
        }
        stream = try boolean("stream") ?? false

        var characters = 0
        if let toolsValue = object["tools"], !(toolsValue is NSNull) {
            guard let list = toolsValue as? [Any] else { throw fail("tools", "expected a list of tool definitions") }
            tools = list.count
            if let data = try? JSONSerialization.data(withJSONObject: list) { characters += data.count }
        } else {
            tools = 0
        }

        var systemText: String?
        if let s = object["system"], !(s is NSNull) {
            guard flavor == .anthropic else { throw fail("system", "unknown field; use a message with role \"system\"") }
            guard let text = Self.text(s) else { throw fail("system", "expected a string or a list of text blocks") }
            systemText = text
            characters += text.count
        }

        guard let messagesValue = object["messages"] else { throw fail("messages", "required field is missing") }
        guard let messages = messagesValue as? [Any] else { throw fail("messages", "expected a list of messages") }
        guard !messages.isEmpty else { throw fail("messages", "must contain at least one message") }
        let roles: Set<String> = flavor == .anthropic
            ? ["user", "assistant"] : ["system", "developer", "user", "assistant", "tool", "function"]
        var lastUser: String?
        for (i, m) in messages.enumerated() {
            guard let message = m as? [String: Any] else { throw fail("messages[\(i)]", "expected an object") }
            guard let role = message["role"] as? String else {
                throw fail("messages[\(i)].role", "required string is missing")
            }
            guard roles.contains(role) else {
                throw fail("messages[\(i)].role", "expected one of \(roles.sorted().joined(separator: ", ")), found \"\(role)\"")
            }
            let content = message["content"]
            let text: String
            if content == nil || content is NSNull {
                guard flavor == .openai, role == "assistant" || role == "tool" else {
                    throw fail("messages[\(i)].content", "required field is missing")
                }
                text = ""
            } else if let t = Self.text(content!) {
                text = t
            } else {
                throw fail("messages[\(i)].content", "expected a string or a list of content blocks")
            }
            characters += text.count + 16
            if role == "user" { lastUser = text }
            if flavor == .openai, role == "system" || role == "developer", systemText == nil { systemText = text }
        }
        messageCount = messages.count
        system = systemText
        prompt = lastUser
        inputCharacters = characters
    }

    static func isBool(_ number: NSNumber) -> Bool {
        // JSONSerialization makes booleans NSNumbers of ObjC type `c`; JSON numbers are never `c`.
        String(cString: number.objCType) == "c"
    }

    /// The text of a string or of a list of blocks (`text` fields; other blocks count by their JSON size).
    static func text(_ value: Any) -> String? {
        if let s = value as? String { return s }
        guard let blocks = value as? [Any] else { return nil }
        var out = ""
        for block in blocks {
            guard let b = block as? [String: Any] else { return nil }
            if let t = b["text"] as? String {
                if !out.isEmpty { out += "\n" }
                out += t
            } else if let data = try? JSONSerialization.data(withJSONObject: b) {
                out += String(repeating: " ", count: min(data.count, 1 << 20))
            }
        }
        return out
    }

    /// Estimated input tokens before forwarding.
    public func estimatedInputTokens(charactersPerToken: Double) -> Int {
        Int((Double(inputCharacters) / charactersPerToken).rounded(.up)) + 3
    }

    /// Lowers the output cap to `cap` (sets it for an OpenAI request that gave none).
    public mutating func capOutput(at cap: Int) {
        guard maxTokens.map({ $0 > cap }) ?? true else { return }
        switch flavor {
        case .anthropic:
            object["max_tokens"] = cap
        case .openai:
            if object["max_completion_tokens"] != nil, !(object["max_completion_tokens"] is NSNull) {
                object["max_completion_tokens"] = cap
            } else {
                object["max_tokens"] = cap
            }
        }
        maxTokens = cap
        rewritten = true
    }

    /// Removes the request for visible reasoning.
    public mutating func withholdReasoning() {
        guard thinking else { return }
        object.removeValue(forKey: flavor == .anthropic ? "thinking" : "reasoning_effort")
        thinking = false
        rewritten = true
    }

    /// OpenAI streams report usage only when asked: the gateway always asks, and drops the extra chunk
    /// for clients that did not.
    mutating func askForStreamUsage() {
        guard flavor == .openai, stream, !clientWantsStreamUsage else { return }
        var options = (object["stream_options"] as? [String: Any]) ?? [:]
        options["include_usage"] = true
        object["stream_options"] = options
        rewritten = true
    }

    /// The body to send upstream.
    func forwardBody(original: Data) -> Data {
        guard rewritten else { return original }
        return (try? JSONSerialization.data(withJSONObject: object)) ?? original
    }
}
