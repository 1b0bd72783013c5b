public import GRDB
public import HydraguardLog

/// One request record in the store, in the usage-log `events` shape (`usage-log.md`).
public struct UsageRow: Sendable, Hashable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "usage_events"

    public var ts: String
    public var tsMicros: Int64
    public var requestID: String
    public var accountID: String
    public var orgID: String?
    public var keyID: String
    public var ip: String
    public var userAgent: String?
    public var endpoint: String?
    public var model: String
    public var status: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var latencyMs: Int?
    public var stream: Bool?
    public var thinking: Bool?
    public var maxTokens: Int?
    public var tools: Int?
    public var system: String?
    public var prompt: String?
    public var tlsFingerprint: String?

    enum CodingKeys: String, CodingKey {
        case ts
        case tsMicros = "ts_us"
        case requestID = "request_id"
        case accountID = "account_id"
        case orgID = "org_id"
        case keyID = "key_id"
        case ip
        case userAgent = "user_agent"
        case endpoint, model, status
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case latencyMs = "latency_ms"
        case stream, thinking
        case maxTokens = "max_tokens"
        case tools, system, prompt
        case tlsFingerprint = "tls_fp"
    }

    public enum Columns {
        public static let tsMicros = Column(CodingKeys.tsMicros)
        public static let accountID = Column(CodingKeys.accountID)
        public static let status = Column(CodingKeys.status)
    }

    public init(_ e: UsageEvent) {
        ts = e.ts.rfc3339
        tsMicros = e.ts.microseconds
        requestID = e.requestID
        accountID = e.accountID
        orgID = e.orgID
        keyID = e.keyID
        ip = e.ip
        userAgent = e.userAgent
        endpoint = e.endpoint
        model = e.model
        status = e.status
        inputTokens = e.inputTokens
        outputTokens = e.outputTokens
        latencyMs = e.latencyMs
        stream = e.stream
        thinking = e.thinking
        maxTokens = e.maxTokens
        tools = e.tools
        system = e.system
        prompt = e.prompt
        tlsFingerprint = e.tlsFingerprint
    }

    /// Back to the interchange type, e.g. to export as JSON Lines.
    public var event: UsageEvent {
        UsageEvent(
            ts: Timestamp(microseconds: tsMicros), requestID: requestID, accountID: accountID, orgID: orgID,
            keyID: keyID, ip: ip, userAgent: userAgent, tlsFingerprint: tlsFingerprint, endpoint: endpoint, model: model,
            status: status,
            inputTokens: inputTokens, outputTokens: outputTokens, latencyMs: latencyMs, stream: stream,
            thinking: thinking, maxTokens: maxTokens, tools: tools, system: system, prompt: prompt)
    }
}
