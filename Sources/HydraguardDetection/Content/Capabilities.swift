/// The capabilities a prompt targets, as a small bit set. Distillation campaigns target narrow,
/// valuable capabilities (coding, agentic tool use, reasoning); ordinary users spread wider.
public struct Capabilities: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let coding = Capabilities(rawValue: 1 << 0)
    public static let agentic = Capabilities(rawValue: 1 << 1)
    public static let reasoning = Capabilities(rawValue: 1 << 2)
    public static let writing = Capabilities(rawValue: 1 << 3)
    public static let analysis = Capabilities(rawValue: 1 << 4)

    /// The capabilities worth stealing: the ones distillation campaigns were seen to target.
    public static let targeted: Capabilities = [.coding, .agentic, .reasoning]

    public static let names: [(Capabilities, String)] = [
        (.coding, "coding"), (.agentic, "agentic"), (.reasoning, "reasoning"), (.writing, "writing"),
        (.analysis, "analysis"),
    ]

    public var names: [String] { Capabilities.names.filter { contains($0.0) }.map(\.1) }

    static let keywords: [(Capabilities, [[UInt8]])] = [
        (
            .coding,
            [
                "function", "code", "python", "javascript", "typescript", "rust", "golang", "java ", "c++", "sql",
                "compile", "implement", "refactor", "algorithm", "regex", "unit test", "debug", "stack trace",
                "```", "def ", "class ", "api endpoint", "bug", "program",
            ].map { Array($0.utf8) }
        ),
        (
            .agentic,
            [
                "tool", "agent", "function call", "call the", "execute", "shell", "terminal", "browse", "navigate",
                "workflow", "plan the steps", "multi-step", "json schema", "invoke", "orchestrat", "autonomous",
            ].map { Array($0.utf8) }
        ),
        (
            .reasoning,
            [
                "prove", "proof", "solve", "equation", "probability", "logic", "puzzle", "calculate", "theorem",
                "integral", "derive", "derivation", "math", "riddle", "deduce", "optimi",
            ].map { Array($0.utf8) }
        ),
        (
            .writing,
            [
                "write a story", "poem", "essay", "blog post", "email to", "rewrite", "cover letter", "tweet",
                "slogan", "creative",
            ].map { Array($0.utf8) }
        ),
        (
            .analysis,
            [
                "summar", "analy", "classify", "extract", "translate", "sentiment", "review the", "compare",
            ].map { Array($0.utf8) }
        ),
    ]

    static let elicitation: [[UInt8]] = [
        "step by step", "step-by-step", "show your reasoning", "show all reasoning", "show your work",
        "explain your reasoning", "reasoning process", "think through", "chain of thought", "chain-of-thought",
        "reason carefully", "walk through", "each step", "full reasoning", "detailed reasoning", "think carefully",
    ].map { Array($0.utf8) }

    /// Classifies lower-cased prompt bytes by keyword.
    static func classify(_ text: [UInt8]) -> Capabilities {
        var result: Capabilities = []
        for (capability, words) in keywords where words.contains(where: { text.containsBytes($0) }) {
            result.insert(capability)
        }
        return result
    }

    static func elicitsReasoning(_ text: [UInt8]) -> Bool {
        elicitation.contains { text.containsBytes($0) }
    }
}

extension Array where Element == UInt8 {
    /// Naive substring search; the needles are short and the haystack at most 4 KB.
    func containsBytes(_ needle: [UInt8]) -> Bool {
        let n = needle.count
        guard n > 0, count >= n else { return false }
        let first = needle[0]
        return withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { nd in
                var i = 0
                let last = hay.count - n
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < n, hay[i + j] == nd[j] { j += 1 }
                        if j == n { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }
}
