/// One API request: a line of an events file (`usage-log.md`, "events").
public struct UsageEvent: Sendable, Hashable {
    /// When the request arrived.
    public var ts: Timestamp
    public var requestID: String
    /// The billing account the key belongs to.
    public var accountID: String
    public var orgID: String?
    /// The API key's public id (never the secret).
    public var keyID: String
    /// Client address as the edge saw it.
    public var ip: String
    public var userAgent: String?
    /// JA4 TLS fingerprint, where the edge provides one.
    public var tlsFingerprint: String?
    public var endpoint: String?
    public var model: String
    public var status: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var latencyMs: Int?
    public var stream: Bool?
    /// Extended reasoning / visible chain of thought was asked for.
    public var thinking: Bool?
    public var maxTokens: Int?
    /// Number of tool definitions the request carried.
    public var tools: Int?
    public var system: String?
    /// The last user turn's text, possibly truncated.
    public var prompt: String?

    public init(
        ts: Timestamp,
        requestID: String,
        accountID: String,
        orgID: String? = nil,
        keyID: String,
        ip: String,
        userAgent: String? = nil,
        tlsFingerprint: String? = nil,
        endpoint: String? = nil,
        model: String,
        status: Int = 200,
        inputTokens: Int,
        outputTokens: Int,
        latencyMs: Int? = nil,
        stream: Bool? = nil,
        thinking: Bool? = nil,
        maxTokens: Int? = nil,
        tools: Int? = nil,
        system: String? = nil,
        prompt: String? = nil
    ) {
        self.ts = ts
        self.requestID = requestID
        self.accountID = accountID
        self.orgID = orgID
        self.keyID = keyID
        self.ip = ip
        self.userAgent = userAgent
        self.tlsFingerprint = tlsFingerprint
        self.endpoint = endpoint
        self.model = model
        self.status = status
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latencyMs = latencyMs
        self.stream = stream
        self.thinking = thinking
        self.maxTokens = maxTokens
        self.tools = tools
        self.system = system
        self.prompt = prompt
    }
}
