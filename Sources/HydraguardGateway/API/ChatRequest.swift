import NIOCore

/// The parts of a Messages or Chat Completions request the gateway decides on, read from its JSON, with
/// the body to forward (rewritten only when the gateway changed something).
public struct ChatRequest: Sendable {
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
    var object: JSONValue
    var rewritten = false

    /// Parses and checks a request body; errors are 400s naming the field.
    public init(body: some Collection<UInt8>, flavor: APIFlavor) throws(GatewayError) {
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(body)
        } catch {
            throw GatewayError(.invalidRequest, "the request body is not valid JSON (at byte \(error.offset))")
        }
        guard case .object(let object) = parsed else {
            throw GatewayError(.invalidRequest, "the request body must be a JSON object")
        }
        self.flavor = flavor
        self.object = parsed
        func fail(_ field: String, _ message: String) -> GatewayError {
            GatewayError(.invalidRequest, "\(field): \(message)", param: field)
        }
        func present(_ field: String) -> JSONValue? {
            guard let value = object[field], !value.isNull else { return nil }
            return value
        }
        guard let modelValue = object["model"] else { throw fail("model", "required field is missing") }
        guard let model = modelValue.stringValue, !model.isEmpty else { throw fail("model", "expected a non-empty string") }
        self.model = model

        func integer(_ field: String) throws(GatewayError) -> Int? {
            guard let value = present(field) else { return nil }
            guard let n = value.wholeNumber, n >= 1 else { throw fail(field, "expected a whole number >= 1") }
            return n
        }
        func boolean(_ field: String) throws(GatewayError) -> Bool? {
            guard let value = present(field) else { return nil }
            guard case .bool(let b) = value else { throw fail(field, "expected true or false") }
            return b
        }

        switch flavor {
        case .anthropic:
            guard object["max_tokens"] != nil else { throw fail("max_tokens", "required field is missing") }
            maxTokens = try integer("max_tokens")
            if let thinkingValue = present("thinking") {
                guard let type = thinkingValue.objectValue?["type"]?.stringValue else {
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
            if let effort = present("reasoning_effort") {
                guard effort.stringValue != nil else { throw fail("reasoning_effort", "expected a string") }
                thinking = true
            } else {
                thinking = false
            }
            if let options = present("stream_options") {
                guard let o = options.objectValue else { throw fail("stream_options", "expected an object") }
                clientWantsStreamUsage = o["include_usage"] == .bool(true)
            } else {
                clientWantsStreamUsage = false
            }
        }
        stream = try boolean("stream") ?? false

        var characters = 0
        if let toolsValue = present("tools") {
            guard let list = toolsValue.arrayValue else { throw fail("tools", "expected a list of tool definitions") }
            tools = list.count
            characters += toolsValue.serialized().count
        } else {
            tools = 0
        }

        var systemText: String?
        if let s = present("system") {
            guard flavor == .anthropic else { throw fail("system", "unknown field; use a message with role \"system\"") }
            guard let (text, length) = Self.text(s) else {
                throw fail("system", "expected a string or a list of text blocks")
            }
            systemText = text
            characters += length
        }

        guard let messagesValue = object["messages"] else { throw fail("messages", "required field is missing") }
        guard let messages = messagesValue.arrayValue else { throw fail("messages", "expected a list of messages") }
        guard !messages.isEmpty else { throw fail("messages", "must contain at least one message") }
        var lastUser: String?
        for (i, m) in messages.enumerated() {
            guard let message = m.objectValue else { throw fail("messages[\(i)]", "expected an object") }
            guard let role = message["role"]?.stringValue else {
                throw fail("messages[\(i)].role", "required string is missing")
            }
            guard Self.roles(flavor).contains(role) else {
                throw fail(
                    "messages[\(i)].role",
                    "expected one of \(Self.roles(flavor).sorted().joined(separator: ", ")), found \"\(role)\"")
            }
            let text: String
            var length = 0
            if let content = message["content"], !content.isNull {
                guard let (t, n) = Self.text(content) else {
                    throw fail("messages[\(i)].content", "expected a string or a list of content blocks")
                }
                text = t
                length = n
            } else {
                guard flavor == .openai, role == "assistant" || role == "tool" else {
                    throw fail("messages[\(i)].content", "required field is missing")
                }
                text = ""
            }
            characters += length + 16
            if role == "user" { lastUser = text }
            if flavor == .openai, role == "system" || role == "developer", systemText == nil { systemText = text }
        }
        messageCount = messages.count
        system = systemText
        prompt = lastUser
        inputCharacters = characters
    }

    private static let anthropicRoles: Set<String> = ["user", "assistant"]
    private static let openAIRoles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]
    static func roles(_ flavor: APIFlavor) -> Set<String> { flavor == .anthropic ? anthropicRoles : openAIRoles }

    /// The text of a string or of a list of blocks (`text` fields), and its length for the input estimate:
    /// text counts by its Unicode scalars (linear, unlike counting characters), other blocks (images, tool
    /// calls) by the size of their JSON.
    static func text(_ value: JSONValue) -> (text: String, length: Int)? {
        if case .string(let s) = value { return (s, s.unicodeScalars.count) }
        guard let blocks = value.arrayValue else { return nil }
        var out = ""
        var length = 0
        for block in blocks {
            guard let b = block.objectValue else { return nil }
            if let t = b["text"]?.stringValue {
                if !out.isEmpty { out += "\n" }
                out += t
                length += t.unicodeScalars.count + 1
            } else {
                length += block.serialized().count
            }
        }
        return (out, length)
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
            object["max_tokens"] = .number(String(cap))
        case .openai:
            if let given = object["max_completion_tokens"], !given.isNull {
                object["max_completion_tokens"] = .number(String(cap))
            } else {
                object["max_tokens"] = .number(String(cap))
            }
        }
        maxTokens = cap
        rewritten = true
    }

    /// Removes the request for visible reasoning.
    public mutating func withholdReasoning() {
        guard thinking else { return }
        object[flavor == .anthropic ? "thinking" : "reasoning_effort"] = nil
        thinking = false
        rewritten = true
    }

    /// OpenAI streams report usage only when asked: the gateway always asks, and drops the extra chunk
    /// for clients that did not.
    mutating func askForStreamUsage() {
        guard flavor == .openai, stream, !clientWantsStreamUsage else { return }
        var options = object["stream_options"]?.objectValue ?? JSONObject()
        options["include_usage"] = .bool(true)
        object["stream_options"] = .object(options)
        rewritten = true
    }

    /// The body to send upstream: the client's bytes, or, when the gateway changed something, the same
    /// document re-written (keys in the client's order, numbers as the client wrote them).
    func forwardBody(original: ByteBuffer) -> ByteBuffer {
        guard rewritten else { return original }
        return ByteBuffer(bytes: object.serialized())
    }
}
