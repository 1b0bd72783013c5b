/// What the audit keeps of one sampled prompt: a MinHash signature for near-duplicate search, the
/// capabilities it targets, whether it asks for visible reasoning, and a short excerpt for evidence.
///
/// The signature is one-permutation MinHash with densification (Shrivastava and Li, 2014) over the
/// prompt's word bigrams after normalisation (lower case, digits folded, stop words dropped): one hash
/// per shingle instead of one per shingle and permutation, which keeps sketching cheap at millions of
/// prompts. Two prompts from one template with different slot fillers share most of their bigrams.
public struct PromptSketch: Sendable, Hashable {
    public static let bins = 64

    /// `bins` minimum hashes (32-bit).
    public var signature: [UInt32]
    public var capabilities: Capabilities
    /// Asks for step-by-step / visible reasoning in its text.
    public var elicitsReasoning: Bool
    /// The start of the prompt, with digits masked, for a person to read.
    public var excerpt: String
    /// Number of shingles; 0 when the prompt had no words.
    public var shingles: Int

    public init(prompt: String) {
        var tokens: [UInt64] = []
        tokens.reserveCapacity(96)
        var lowered: [UInt8] = []
        lowered.reserveCapacity(min(prompt.utf8.count, 4096))
        var word: [UInt8] = []
        var excerptBytes: [UInt8] = []
        var count = 0
        func flush() {
            guard !word.isEmpty else { return }
            if !StopWords.contains(word) {
                tokens.append(word.withUnsafeBytes { stableHash($0) })
            }
            word.removeAll(keepingCapacity: true)
        }
        for byte in prompt.utf8 {
            count += 1
            if count > 4096 { break }
            var c = byte
            if c >= 0x41, c <= 0x5A { c += 0x20 }
            if c >= 0x30, c <= 0x39 { c = 0x30 }
            lowered.append(c)
            if excerptBytes.count < 160 { excerptBytes.append(byte >= 0x30 && byte <= 0x39 ? 0x23 : byte) }
            let isWord = (c >= 0x61 && c <= 0x7A) || c == 0x30 || c >= 0x80 || c == 0x5F
            if isWord {
                if word.count < 32 { word.append(c) }
            } else {
                flush()
            }
        }
        flush()
        var shingleHashes: [UInt64] = []
        if tokens.count >= 2 {
            shingleHashes.reserveCapacity(tokens.count - 1)
            for i in 0..<(tokens.count - 1) {
                shingleHashes.append(mix64(tokens[i] &* 31 &+ tokens[i + 1]))
            }
        } else {
            shingleHashes = tokens
        }
        shingles = shingleHashes.count
        signature = PromptSketch.oneHashMinHash(shingleHashes)
        capabilities = Capabilities.classify(lowered)
        elicitsReasoning = Capabilities.elicitsReasoning(lowered)
        excerpt = String(decoding: excerptBytes, as: UTF8.self)
    }

    static func oneHashMinHash(_ hashes: [UInt64]) -> [UInt32] {
        var bins = [UInt32](repeating: UInt32.max, count: PromptSketch.bins)
        var filled = [Bool](repeating: false, count: PromptSketch.bins)
        for h in hashes {
            let bin = Int(h >> 58)  // top 6 bits: 64 bins
            let value = UInt32(truncatingIfNeeded: h)
            if value <= bins[bin] {
                bins[bin] = value
                filled[bin] = true
            }
        }
        guard filled.contains(true) else { return bins }
        // Densify: an empty bin borrows the next filled bin to its right, re-hashed by distance.
        for i in 0..<PromptSketch.bins where !filled[i] {
            var j = (i + 1) % PromptSketch.bins
            var distance: UInt64 = 1
            while !filled[j] {
                j = (j + 1) % PromptSketch.bins
                distance += 1
            }
            bins[i] = UInt32(truncatingIfNeeded: mix64(UInt64(bins[j]) &+ distance &* 0x9e37_79b9))
        }
        return bins
    }

    /// The share of equal bins: an estimate of the two prompts' Jaccard similarity.
    public func similarity(to other: PromptSketch) -> Double {
        guard shingles > 0, other.shingles > 0 else { return 0 }
        var same = 0
        for i in 0..<PromptSketch.bins where signature[i] == other.signature[i] { same += 1 }
        return Double(same) / Double(PromptSketch.bins)
    }
}

/// A small set of English stop words: they carry no template identity.
enum StopWords {
    static let words: Set<[UInt8]> = Set(
        [
            "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "be", "it", "this",
            "that", "as", "at", "by", "from", "i", "you", "me", "my", "your", "we", "our", "can", "do", "please",
            "what", "how", "if", "so", "but", "not", "no", "yes", "was", "were", "will", "would", "should", "could",
        ].map { Array($0.utf8) })

    static func contains(_ word: [UInt8]) -> Bool { word.count <= 6 && words.contains(word) }
}
