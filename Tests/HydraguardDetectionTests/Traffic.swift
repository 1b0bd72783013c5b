import HydraguardDetection
import HydraguardLog

/// Crafted traffic for the detection tests: small, exact, and easy to reason about.
struct Traffic {
    var events: [UsageEvent] = []
    var accounts: [AccountRecord] = []
    var nextRequest = 0

    static let start = Timestamp(rfc3339: "2026-03-02T00:00:00Z")!

    struct Shape {
        var days = 14
        var perDay = 24
        /// Hours of the day (UTC) the requests fall in.
        var hours: [Int] = Array(0..<24)
        /// Addresses used: a function of (day, request of the day).
        var address: (Int, Int) -> String = { _, _ in "203.0.113.7" }
        var key: (Int) -> String = { _ in "key-1" }
        var model = "claude-sonnet-4-5"
        var thinking = false
        var maxTokens = 1024
        var inputTokens = 800
        var outputTokens = 400
        var userAgent = "anthropic-python/0.40.0"
        var tls = "t13d1516h2_8daaf6152771_02713d6af862"
        var system: String? = nil
        var tools = 0
        var prompt: (Int, Int) -> String = { d, i in "question \(d) \(i) about cooking pasta and sauces" }
    }

    mutating func add(
        _ id: String, tier: Tier = .email, org: String? = nil, payment: String? = nil, signupIP: String? = nil,
        signupCountry: String? = nil, created: Timestamp? = nil, shape: Shape
    ) {
        accounts.append(
            AccountRecord(
                accountID: id, orgID: org, createdAt: created ?? Traffic.start.adding(seconds: -86_400 * 60), tier: tier,
                emailDomain: "example.com", paymentFingerprint: payment, signupIP: signupIP, signupCountry: signupCountry))
        for day in 0..<shape.days {
            for i in 0..<shape.perDay {
                let hour = shape.hours[i % shape.hours.count]
                let minute = (i * 7 + day * 3) % 60
                let ts = Traffic.start.adding(seconds: Double(day * 86_400 + hour * 3600 + minute * 60 + i % 60))
                nextRequest += 1
                let event = UsageEvent(
                        ts: ts, requestID: "req-\(nextRequest)", accountID: id, orgID: org, keyID: shape.key(day),
                        ip: shape.address(day, i), userAgent: shape.userAgent, tlsFingerprint: shape.tls,
                        endpoint: "/v1/messages", model: shape.model, status: 200, inputTokens: shape.inputTokens,
                        outputTokens: shape.outputTokens, stream: false, thinking: shape.thinking,
                        maxTokens: shape.maxTokens, tools: shape.tools, system: shape.system, prompt: shape.prompt(day, i))
                events.append(event)
            }
        }
    }

    func audit(resolver: any AddressResolver = NoAddressIntelligence()) -> AuditResult {
        Audit(resolver: resolver).run(events: events.sorted { $0.ts < $1.ts }, accounts: accounts)
    }
}

/// Diverse honest prompts from word lists, so that no two are near-duplicates.
func honestPrompt(_ seed: Int) -> String {
    let topics = ["gardening", "tax returns", "a birthday party", "marathon training", "sourdough", "a job interview",
                  "learning french", "fixing a bike", "a trip to lisbon", "houseplants", "chess openings", "a wedding toast",
                  "budget spreadsheets", "dog training", "knitting", "photography", "the roman empire", "jazz history"]
    let asks = ["give me ideas for", "what should i know about", "help me plan", "tell me a fun fact about",
                "how do beginners start with", "what are common mistakes in", "write a short note about", "compare options for"]
    let extras = ["quickly", "for my family", "on a small budget", "this weekend", "as a list", "in simple words",
                  "with examples", "for a friend", "before friday", "like a pro"]
    var x = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15
    func pick<T>(_ a: [T]) -> T {
        x = x &* 6364136223846793005 &+ 1442695040888963407
        return a[Int((x >> 33) % UInt64(a.count))]
    }
    return "\(pick(asks)) \(pick(topics)) \(pick(extras)) \(pick(topics)) \(pick(extras)) \(seed % 997)"
}

/// A resolver from a fixed table of address prefixes.
struct TableResolver: AddressResolver {
    var table: [(prefix: String, info: AddressInfo)]

    func resolve(_ ip: String) -> AddressInfo {
        table.first { ip.hasPrefix($0.prefix) }?.info ?? .unknown
    }
}
