import HydraguardLog

/// Realistic events for the parse benchmark: prompts of a few hundred to a few thousand characters with
/// code, quotes, new lines, tabs, backslashes and non-ASCII text; a shared system prompt on about a third
/// of the lines; every optional field in use. Deterministic for a given seed.
struct SyntheticEvents {
    private var state: UInt64

    init(seed: UInt64 = 0x5EED) { state = seed }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    private static let words: [String] = [
        "the", "a", "function", "return", "value", "please", "explain", "why", "this", "code", "fails", "when",
        "input", "is", "empty", "write", "test", "for", "class", "struct", "async", "await", "let", "var", "if",
        "else", "data", "model", "train", "reasoning", "step", "by", "prove", "that", "theorem", "holds", "n",
        "integer", "list", "sort", "in", "place", "without", "extra", "memory", "{", "}", "(", ")", "[", "]", "=>",
        "->", "x", "y", "i", "+=", "==", "0", "1", "42", "résumé", "naïve", "café", "中文", "日本語のテキスト",
        "Привет", "😀", "🧪", "—", "\"quoted\"", "'single'", "C:\\Users\\dev\\file.txt", "a\\nb", "\n", "\n", "\t",
        "\n\n", "SELECT * FROM users WHERE id = ?;", "print(\"hello\")", "<div class=\"x\">", "</div>",
        "http://example.com/path?q=1&r=2", "translate", "summarise", "article", "bullet", "points", "JSON",
    ]

    private static let systems: [String] = (0..<6).map { n in
        var gen = SyntheticEvents(seed: UInt64(1000 + n))
        return "You are assistant #\(n). " + gen.text(length: 500 + 300 * n)
    }

    private static let agents = [
        "claude-cli/1.0.31 (external, cli)", "python-httpx/0.27.0", "OpenAI/Python 1.30.1", "curl/8.5.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    ]
    private static let models = ["m-large-2026-03", "m-medium-2026-01", "m-small-2025-11"]
    private static let endpoints = ["/v1/messages", "/v1/chat/completions", "/v1/responses"]

    /// Words drawn at random up to about `length` characters.
    mutating func text(length: Int) -> String {
        var s = ""
        s.reserveCapacity(length + 40)
        while s.utf8.count < length {
            s += Self.words[below(Self.words.count)]
            s += below(5) == 0 ? ", " : " "
        }
        return s
    }

    mutating func hex(_ count: Int) -> String {
        var s = ""
        for _ in 0..<count { s.append("0123456789abcdef".randomElementFast(below(16))) }
        return s
    }

    /// The `n`th event.
    mutating func event(_ n: Int) -> UsageEvent {
        let account = below(20_000)
        let ip =
            below(8) == 0
            ? "2001:db8:\(String(below(65536), radix: 16))::\(String(below(65536), radix: 16))"
            : "\(below(223) + 1).\(below(256)).\(below(256)).\(below(256))"
        let promptLength = 200 + below(2800)
        return UsageEvent(
            ts: Timestamp(microseconds: 1_776_816_000_000_000 + Int64(n) * 2_700 + Int64(below(1000))),
            requestID: "req_" + hex(24),
            accountID: "acct_\(account)",
            orgID: below(2) == 0 ? "org_\(account / 10)" : nil,
            keyID: "key_\(account)_\(below(3))",
            ip: ip,
            userAgent: Self.agents[below(Self.agents.count)],
            tlsFingerprint: below(3) == 0 ? nil : "t13d1516h2_8daaf6152771_" + hex(12),
            endpoint: Self.endpoints[below(Self.endpoints.count)],
            model: Self.models[below(Self.models.count)],
            status: below(50) == 0 ? 429 : 200,
            inputTokens: promptLength / 4 + below(2000),
            outputTokens: below(4000),
            latencyMs: 200 + below(30_000),
            stream: below(2) == 0,
            thinking: below(4) == 0,
            maxTokens: below(3) == 0 ? nil : 1024 << below(5),
            tools: below(3) == 0 ? below(20) : nil,
            system: below(3) == 0 ? Self.systems[below(Self.systems.count)] : nil,
            prompt: text(length: promptLength))
    }
}

extension String {
    fileprivate func randomElementFast(_ index: Int) -> Character {
        self[self.index(startIndex, offsetBy: index)]
    }
}
