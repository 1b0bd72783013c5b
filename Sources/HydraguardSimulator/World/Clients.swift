/// A client stack as the edge sees it: the User-Agent header and the TLS fingerprint (JA4).
public struct ClientStack: Sendable, Hashable {
    public var userAgent: String
    public var tlsFingerprint: String
    /// `/v1/messages` or `/v1/chat/completions`.
    public var endpoint: String
}

/// The SDKs and tools that call the API, with the runtimes behind them.
enum Clients {
    enum Family: CaseIterable {
        case anthropicPython, anthropicJS, openAIPython, openAIJS, requests, curl, go
    }

    /// JA4 fingerprints of the runtimes (Python/OpenSSL builds, Node releases, Go, curl).
    static let pythonJA4 = [
        "t13d1812h2_e8a523a41297_b0a7a5a7c3c9", "t13d1812h2_e8a523a41297_7b2d3e8f0c41",
        "t13d1713h2_5b57614c22b0_3d5424432f57", "t13d1713h2_5b57614c22b0_eca864cca44a",
        "t13d1812h1_85036bcba153_f2a5c7d3a1d4",
    ]
    static let nodeJA4 = [
        "t13d1516h2_8daaf6152771_02713d6af862", "t13d1516h2_8daaf6152771_e5627efa2ab1",
        "t13d1517h2_8daaf6152771_b1ff8ab2d16f",
    ]
    static let goJA4 = ["t13d1311h2_f57a46bbacb6_e7c285222651"]
    static let curlJA4 = ["t13d3112h2_e8f1e7e78f70_6bebaf5329ac", "t13d3113h2_e8f1e7e78f70_ce5650b735ce"]

    /// Coding tools: user-agent prefix, version range, endpoint.
    static let codingTools: [(name: String, major: Int, minors: ClosedRange<Int>, endpoint: String, ja4: [String])] = [
        ("claude-cli", 2, 0...30, "/v1/messages", nodeJA4),
        ("Cline", 3, 10...38, "/v1/messages", nodeJA4),
        ("aider", 0, 80...88, "/v1/chat/completions", pythonJA4),
    ]

    /// A client an honest user would plausibly run; newer versions are likelier.
    static func honest(rng: inout SeededRandom, programmatic: Bool = false) -> ClientStack {
        let weights: [Double] = programmatic ? [30, 15, 25, 10, 12, 3, 5] : [35, 20, 25, 12, 4, 3, 1]
        let family = Family.allCases[rng.weighted(weights)]
        return stack(family, rng: &rng)
    }

    static func stack(_ family: Family, rng: inout SeededRandom) -> ClientStack {
        // Skew towards recent releases: the maximum of two uniform draws.
        func recent(_ range: ClosedRange<Int>) -> Int { max(rng.int(in: range), rng.int(in: range)) }
        switch family {
        case .anthropicPython:
            return ClientStack(
                userAgent: "Anthropic/Python 0.\(recent(40...72)).\(rng.int(in: 0...2))",
                tlsFingerprint: rng.pick(pythonJA4), endpoint: "/v1/messages")
        case .anthropicJS:
            return ClientStack(
                userAgent: "Anthropic/JS 0.\(recent(30...68)).\(rng.int(in: 0...3))",
                tlsFingerprint: rng.pick(nodeJA4), endpoint: "/v1/messages")
        case .openAIPython:
            return ClientStack(
                userAgent: "OpenAI/Python 1.\(recent(50...109)).\(rng.int(in: 0...3))",
                tlsFingerprint: rng.pick(pythonJA4), endpoint: "/v1/chat/completions")
        case .openAIJS:
            return ClientStack(
                userAgent: "OpenAI/JS 4.\(recent(60...104)).\(rng.int(in: 0...2))",
                tlsFingerprint: rng.pick(nodeJA4), endpoint: "/v1/chat/completions")
        case .requests:
            return ClientStack(
                userAgent: "python-requests/2.\(recent(28...32)).\(rng.int(in: 0...3))",
                tlsFingerprint: rng.pick(pythonJA4), endpoint: "/v1/messages")
        case .curl:
            return ClientStack(
                userAgent: "curl/8.\(recent(4...16)).\(rng.int(in: 0...1))",
                tlsFingerprint: rng.pick(curlJA4), endpoint: "/v1/messages")
        case .go:
            return ClientStack(
                userAgent: "Go-http-client/2.0", tlsFingerprint: rng.pick(goJA4), endpoint: "/v1/messages")
        }
    }

    /// The client of one coding tool, at a version a user of it would run.
    static func codingTool(_ number: Int, rng: inout SeededRandom) -> ClientStack {
        let tool = codingTools[number % codingTools.count]
        let minor = max(rng.int(in: tool.minors), rng.int(in: tool.minors))
        let ua =
            tool.name == "claude-cli"
            ? "claude-cli/\(tool.major).\(minor).\(rng.int(in: 0...9)) (external, cli)"
            : "\(tool.name)/\(tool.major).\(minor).\(rng.int(in: 0...4))"
        return ClientStack(userAgent: ua, tlsFingerprint: rng.pick(tool.ja4), endpoint: tool.endpoint)
    }
}

/// The models the API serves.
enum Models {
    static let messages = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]
    static let messagesWeights: [Double] = [0.55, 0.3, 0.15]
    static let chat = ["gpt-4o", "gpt-4o-mini", "gpt-4.1"]
    static let chatWeights: [Double] = [0.5, 0.35, 0.15]

    static func pick(endpoint: String, rng: inout SeededRandom) -> String {
        if endpoint == "/v1/chat/completions" { return chat[rng.weighted(chatWeights)] }
        return messages[rng.weighted(messagesWeights)]
    }
}
