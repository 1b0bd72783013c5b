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

    /// Words (or word stems: a rule ending in `*` matches any word that starts with it) and short phrases
    /// that mark a capability. Matching is by hashed word and phrase, during the sketch's single pass.
    static let rules: [(Capabilities, [String])] = [
        (
            .coding,
            [
                "function", "functions", "code", "coding", "python", "javascript", "typescript", "rust", "golang",
                "java", "c#", "sql", "compile*", "implement*", "refactor*", "algorithm*", "regex", "unit test*",
                "debug*", "stack trace", "bug", "bugs", "program*", "haskell", "kotlin", "swift", "linked list",
                "binary tree", "api", "endpoint", "database", "schema", "recursion", "recursive", "complexity",
            ]
        ),
        (
            .agentic,
            [
                "tool", "tools", "agent*", "function call*", "call the", "execute", "shell", "terminal", "browse",
                "navigate", "workflow*", "multi step", "json schema", "invoke", "orchestrat*", "autonomous*",
                "tool call*", "migrate", "deploy*",
            ]
        ),
        (
            .reasoning,
            [
                "prove", "proof", "solve", "equation*", "probability", "logic*", "puzzle*", "calculate", "theorem*",
                "integral*", "derive", "derivation", "math*", "riddle*", "deduce", "optimi*", "combinatori*",
                "geometry", "physics",
            ]
        ),
        (
            .writing,
            [
                "story", "poem", "essay", "blog post", "email to", "rewrite", "cover letter", "tweet", "slogan",
                "creative", "lyrics",
            ]
        ),
        (
            .analysis,
            ["summar*", "analy*", "classify", "extract", "translate", "sentiment", "review the", "compare"]
        ),
    ]

    static let elicitationRules: [String] = [
        "step by step", "show your reasoning", "show all reasoning", "show your work", "show the work",
        "explain your reasoning", "reasoning process", "think through", "chain of thought", "reason carefully",
        "walk through", "walk me through", "each step", "every step", "full reasoning", "detailed reasoning",
        "think carefully", "reason out loud", "intermediate step*", "all reasoning", "with all reasoning",
        "your thinking", "your reasoning", "thought process", "think aloud", "explain why", "understand why",
        "justify", "every calculation", "each calculation", "check your work", "verify each step",
    ]

    /// Hashes of single words, of stems (first 5 to 8 bytes), and of 2- and 3-word phrases.
    struct Lexicon: Sendable {
        var words: [UInt64: Capabilities] = [:]
        var stems: [UInt64: Capabilities] = [:]
        var phrases: [UInt64: Capabilities] = [:]
        var elicitationPhrases: Set<UInt64> = []
        var elicitationStems: Set<UInt64> = []
    }

    static func wordHash(_ word: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in word {
            h ^= UInt64(b)
            h &*= 0x100_0000_01b3
        }
        return h
    }

    static func phraseHash(_ previous: UInt64, _ next: UInt64) -> UInt64 { mix64(previous &* 0x9e37_79b9 ^ next) }

    static let lexicon: Lexicon = {
        var lexicon = Lexicon()
        func add(_ rule: String, _ capability: Capabilities?) {
            let isStem = rule.hasSuffix("*")
            let words = rule.dropLast(isStem ? 1 : 0).split(separator: " ").map { Array($0.utf8) }
            if words.count == 1 {
                let w = words[0]
                if isStem {
                    let h = wordHash(w.prefix(8))
                    if let capability { lexicon.stems[h, default: []].insert(capability) } else { lexicon.elicitationStems.insert(h) }
                } else if let capability {
                    lexicon.words[wordHash(w), default: []].insert(capability)
                }
                return
            }
            // Phrases: the last word may be a stem (its first 8 bytes at most).
            var h = wordHash(words[0])
            for (i, w) in words.enumerated().dropFirst() {
                h = phraseHash(h, wordHash(i == words.count - 1 && isStem ? Array(w.prefix(8)) : w))
            }
            if let capability { lexicon.phrases[h, default: []].insert(capability) } else { lexicon.elicitationPhrases.insert(h) }
        }
        for (capability, rules) in rules { for rule in rules { add(rule, capability) } }
        for rule in elicitationRules { add(rule, nil) }
        return lexicon
    }()
}

/// Matches the capability lexicon over a prompt's words as they are read, in one pass.
struct CapabilityMatcher {
    var capabilities: Capabilities = []
    var elicits = false
    private var previous: UInt64 = 0
    private var beforePrevious: UInt64 = 0
    private var words = 0

    /// Feeds one lower-cased word.
    mutating func add(_ word: [UInt8]) {
        let lexicon = Capabilities.lexicon
        let h = Capabilities.wordHash(word)
        if let c = lexicon.words[h] { capabilities.formUnion(c) }
        let twoBase = previous
        let threeBase = words >= 2 ? Capabilities.phraseHash(beforePrevious, previous) : 0
        func phrase(_ last: UInt64) {
            if words >= 1 {
                let two = Capabilities.phraseHash(twoBase, last)
                if let c = lexicon.phrases[two] { capabilities.formUnion(c) }
                if lexicon.elicitationPhrases.contains(two) { elicits = true }
            }
            if words >= 2 {
                let three = Capabilities.phraseHash(threeBase, last)
                if let c = lexicon.phrases[three] { capabilities.formUnion(c) }
                if lexicon.elicitationPhrases.contains(three) { elicits = true }
            }
        }
        phrase(h)
        // Stems: the word's first 4 to 8 bytes, alone or ending a phrase.
        if word.count >= 4 {
            for length in 4...min(8, word.count) {
                let stem = length == word.count ? h : Capabilities.wordHash(word.prefix(length))
                if let c = lexicon.stems[stem] { capabilities.formUnion(c) }
                if lexicon.elicitationStems.contains(stem) { elicits = true }
                if length < word.count { phrase(stem) }
            }
        }
        beforePrevious = previous
        previous = h
        words += 1
    }
}

