/// A record that lives one per line in a JSON Lines file of the usage-log format.
public protocol JSONLineRecord: Sendable {
    /// What the files of this record are called in messages ("events", "accounts", ...).
    static var fileKind: String { get }
    /// Decodes one line; unknown fields are skipped.
    static func decode(_ scanner: inout JSONLineScanner) throws(LineError) -> Self
    /// Appends the record as one JSON object (no newline).
    func encode(into out: inout JSONOutput)
}

extension JSONLineRecord {
    /// Decodes one line of text; a convenience for tests and small inputs.
    public static func decode(line: String) throws(LineError) -> Self {
        var line = line
        let result: Result<Self, LineError> = line.withUTF8 { bytes in
            guard bytes.count > 0 else { return .failure(LineError(.brokenLine, field: nil, "empty line")) }
            var scanner = JSONLineScanner(UnsafeRawBufferPointer(bytes))
            do throws(LineError) {
                return .success(try Self.decode(&scanner))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The record as one line of JSON (no newline).
    public var jsonLine: String {
        var out = JSONOutput()
        encode(into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

@usableFromInline
func missing(_ field: String) -> LineError {
    LineError(.missingField, field: field, "required field is absent or null")
}

extension UsageEvent: JSONLineRecord {
    public static var fileKind: String { "events" }

    @usableFromInline
    static let fields = FieldTable([
        "ts", "request_id", "account_id", "org_id", "key_id", "ip", "user_agent", "tls_fp", "endpoint", "model",
        "status", "input_tokens", "output_tokens", "latency_ms", "stream", "thinking", "max_tokens", "tools",
        "system", "prompt",
    ])

    /// The index of an events field in the table above, or -1: a switch on the key's length, then its
    /// first (and second) eight bytes as words, generated from the field names.
    @inlinable @inline(__always)
    static func fieldIndex(_ key: UnsafeRawBufferPointer) -> Int {
        let n = key.count
        guard n > 1, n <= 16 else { return -1 }
        let base = key.baseAddress!
        let w0 = FieldTable.word(base, n, 0)
        let w1 = n > 8 ? FieldTable.word(base, n, 8) : 0
        switch n {
        case 2:
            if w0 == 0x7374 { return 0 }  // ts
            if w0 == 0x7069 { return 5 }  // ip
            return -1
        case 5:
            if w0 == 0x6C65646F6D { return 9 }  // model
            if w0 == 0x736C6F6F74 { return 17 }  // tools
            return -1
        case 6:
            if w0 == 0x64695F67726F { return 3 }  // org_id
            if w0 == 0x64695F79656B { return 4 }  // key_id
            if w0 == 0x70665F736C74 { return 7 }  // tls_fp
            if w0 == 0x737574617473 { return 10 }  // status
            if w0 == 0x6D6165727473 { return 14 }  // stream
            if w0 == 0x6D6574737973 { return 18 }  // system
            if w0 == 0x74706D6F7270 { return 19 }  // prompt
            return -1
        case 8:
            if w0 == 0x746E696F70646E65 { return 8 }  // endpoint
            if w0 == 0x676E696B6E696874 { return 15 }  // thinking
            return -1
        case 10:
            if w0 == 0x5F74736575716572 && w1 == 0x6469 { return 1 }  // request_id
            if w0 == 0x5F746E756F636361 && w1 == 0x6469 { return 2 }  // account_id
            if w0 == 0x6567615F72657375 && w1 == 0x746E { return 6 }  // user_agent
            if w0 == 0x5F79636E6574616C && w1 == 0x736D { return 13 }  // latency_ms
            if w0 == 0x656B6F745F78616D && w1 == 0x736E { return 16 }  // max_tokens
            return -1
        case 12:
            if w0 == 0x6F745F7475706E69 && w1 == 0x736E656B { return 11 }  // input_tokens
            return -1
        case 13:
            if w0 == 0x745F74757074756F && w1 == 0x736E656B6F { return 12 }  // output_tokens
            return -1
        default:
            return -1
        }
    }

    public static func decode(_ s: inout JSONLineScanner) throws(LineError) -> UsageEvent {
        try s.beginObject()
        var ts: Timestamp?
        var requestID: String?
        var accountID: String?
        var orgID: String?
        var keyID: String?
        var ip: String?
        var userAgent: String?
        var tlsFingerprint: String?
        var endpoint: String?
        var model: String?
        var status: Int?
        var inputTokens: Int?
        var outputTokens: Int?
        var latencyMs: Int?
        var stream: Bool?
        var thinking: Bool?
        var maxTokens: Int?
        var tools: Int?
        var system: String?
        var prompt: String?
        while let index = try s.nextKey({ fieldIndex($0) }) {
            switch index {
            case 0: ts = s.consumeNull() ? nil : try s.readTimestamp(field: "ts")
            case 1: requestID = try s.readOptionalString(field: "request_id")
            case 2: accountID = try s.readOptionalString(field: "account_id")
            case 3: orgID = try s.readOptionalString(field: "org_id")
            case 4: keyID = try s.readOptionalString(field: "key_id")
            case 5: ip = try s.readOptionalString(field: "ip")
            case 6: userAgent = try s.readOptionalString(field: "user_agent")
            case 7: tlsFingerprint = try s.readOptionalString(field: "tls_fp")
            case 8: endpoint = try s.readOptionalString(field: "endpoint")
            case 9: model = try s.readOptionalString(field: "model")
            case 10: status = try s.readOptionalInt(field: "status")
            case 11: inputTokens = try s.readOptionalInt(field: "input_tokens")
            case 12: outputTokens = try s.readOptionalInt(field: "output_tokens")
            case 13: latencyMs = try s.readOptionalInt(field: "latency_ms")
            case 14: stream = try s.readOptionalBool(field: "stream")
            case 15: thinking = try s.readOptionalBool(field: "thinking")
            case 16: maxTokens = try s.readOptionalInt(field: "max_tokens")
            case 17: tools = try s.readOptionalInt(field: "tools")
            case 18: system = try s.readOptionalString(field: "system")
            case 19: prompt = try s.readOptionalString(field: "prompt")
            default: try s.skipValue()
            }
        }
        try s.end()
        guard let ts else { throw missing("ts") }
        guard let requestID else { throw missing("request_id") }
        guard let accountID else { throw missing("account_id") }
        guard let keyID else { throw missing("key_id") }
        guard let ip else { throw missing("ip") }
        guard let model else { throw missing("model") }
        guard let status else { throw missing("status") }
        guard let inputTokens else { throw missing("input_tokens") }
        guard let outputTokens else { throw missing("output_tokens") }
        guard inputTokens >= 0 else { throw LineError(.badValue, field: "input_tokens", "must not be negative") }
        guard outputTokens >= 0 else { throw LineError(.badValue, field: "output_tokens", "must not be negative") }
        guard (100...599).contains(status) else {
            throw LineError(.badValue, field: "status", "\(status) is not an HTTP status")
        }
        return UsageEvent(
            ts: ts, requestID: requestID, accountID: accountID, orgID: orgID, keyID: keyID, ip: ip,
            userAgent: userAgent, tlsFingerprint: tlsFingerprint, endpoint: endpoint, model: model, status: status,
            inputTokens: inputTokens, outputTokens: outputTokens, latencyMs: latencyMs, stream: stream,
            thinking: thinking, maxTokens: maxTokens, tools: tools, system: system, prompt: prompt)
    }

    public func encode(into out: inout JSONOutput) {
        out.beginObject()
        out.field("ts", ts)
        out.field("request_id", requestID)
        out.field("account_id", accountID)
        out.field("org_id", orgID)
        out.field("key_id", keyID)
        out.field("ip", ip)
        out.field("user_agent", userAgent)
        out.field("tls_fp", tlsFingerprint)
        out.field("endpoint", endpoint)
        out.field("model", model)
        out.field("status", status)
        out.field("input_tokens", inputTokens)
        out.field("output_tokens", outputTokens)
        out.field("latency_ms", latencyMs)
        out.field("stream", stream)
        out.field("thinking", thinking)
        out.field("max_tokens", maxTokens)
        out.field("tools", tools)
        out.field("system", system)
        out.field("prompt", prompt)
        out.endObject()
    }
}

extension AccountRecord: JSONLineRecord {
    public static var fileKind: String { "accounts" }

    static let fields = FieldTable([
        "account_id", "org_id", "created_at", "tier", "email_domain", "payment_fp", "signup_ip", "signup_country",
    ])

    public static func decode(_ s: inout JSONLineScanner) throws(LineError) -> AccountRecord {
        try s.beginObject()
        var accountID: String?
        var orgID: String?
        var createdAt: Timestamp?
        var tierText: String?
        var emailDomain: String?
        var payment: String?
        var signupIP: String?
        var signupCountry: String?
        let table = fields
        while let index = try s.nextKey({ table.index(of: $0) }) {
            switch index {
            case 0: accountID = try s.readOptionalString(field: "account_id")
            case 1: orgID = try s.readOptionalString(field: "org_id")
            case 2: createdAt = s.consumeNull() ? nil : try s.readTimestamp(field: "created_at")
            case 3: tierText = try s.readOptionalString(field: "tier")
            case 4: emailDomain = try s.readOptionalString(field: "email_domain")
            case 5: payment = try s.readOptionalString(field: "payment_fp")
            case 6: signupIP = try s.readOptionalString(field: "signup_ip")
            case 7: signupCountry = try s.readOptionalString(field: "signup_country")
            default: try s.skipValue()
            }
        }
        try s.end()
        guard let accountID else { throw missing("account_id") }
        guard let createdAt else { throw missing("created_at") }
        guard let tierText else { throw missing("tier") }
        guard let tier = Tier(rawValue: tierText) else {
            throw LineError(.badValue, field: "tier", "\"\(tierText)\" is not one of free, email, card, id, enterprise")
        }
        return AccountRecord(
            accountID: accountID, orgID: orgID, createdAt: createdAt, tier: tier, emailDomain: emailDomain,
            paymentFingerprint: payment, signupIP: signupIP, signupCountry: signupCountry)
    }

    public func encode(into out: inout JSONOutput) {
        out.beginObject()
        out.field("account_id", accountID)
        out.field("org_id", orgID)
        out.field("created_at", createdAt)
        out.field("tier", tier.rawValue)
        out.field("email_domain", emailDomain)
        out.field("payment_fp", paymentFingerprint)
        out.field("signup_ip", signupIP)
        out.field("signup_country", signupCountry)
        out.endObject()
    }
}

extension LabelRecord: JSONLineRecord {
    public static var fileKind: String { "labels" }

    static let fields = FieldTable(["account_id", "label", "archetype", "campaign"])

    public static func decode(_ s: inout JSONLineScanner) throws(LineError) -> LabelRecord {
        try s.beginObject()
        var accountID: String?
        var label: String?
        var archetype: String?
        var campaign: String?
        let table = fields
        while let index = try s.nextKey({ table.index(of: $0) }) {
            switch index {
            case 0: accountID = try s.readOptionalString(field: "account_id")
            case 1: label = try s.readOptionalString(field: "label")
            case 2: archetype = try s.readOptionalString(field: "archetype")
            case 3: campaign = try s.readOptionalString(field: "campaign")
            default: try s.skipValue()
            }
        }
        try s.end()
        guard let accountID else { throw missing("account_id") }
        guard let labelText = label else { throw missing("label") }
        guard let value = Label(rawValue: labelText) else {
            throw LineError(.badValue, field: "label", "\"\(labelText)\" is not benign or attack")
        }
        guard let archetype else { throw missing("archetype") }
        return LabelRecord(accountID: accountID, label: value, archetype: archetype, campaign: campaign)
    }

    public func encode(into out: inout JSONOutput) {
        out.beginObject()
        out.field("account_id", accountID)
        out.field("label", label.rawValue)
        out.field("archetype", archetype)
        out.field("campaign", campaign, keepNull: true)
        out.endObject()
    }
}
