/// Where and how ``Simulation/write(to:progress:)`` writes a run.
public struct SimulationOutput: Sendable {
    /// The directory the files go into (created when missing).
    public var directory: String
    /// gzip the events (`events.jsonl.gz`); otherwise plain `events.jsonl`.
    public var compress: Bool
    /// Split the events over this many files (`events-000.jsonl.gz`, ...), each in arrival order, each
    /// account in exactly one; with 1, a single `events.jsonl[.gz]`.
    public var shards: Int
    /// gzip level, 1 (fastest) ... 9.
    public var compressionLevel: Int32
    /// Parallel generation workers.
    public var workers: Int

    public init(directory: String, compress: Bool = true, shards: Int = 1, compressionLevel: Int32 = 1, workers: Int? = nil) {
        self.directory = directory
        self.compress = compress
        self.shards = max(1, shards)
        self.compressionLevel = compressionLevel
        self.workers = max(1, workers ?? SystemInfo.processorCount)
    }

    /// The events file names, in shard order.
    public var eventFiles: [String] {
        let ext = compress ? ".jsonl.gz" : ".jsonl"
        if shards == 1 { return ["events" + ext] }
        return (0..<shards).map { "events-" + String(1000 + $0).dropFirst() + ext }
    }
}

/// What a run produced, per archetype.
public struct SimulationSummary: Sendable {
    public struct Row: Sendable, Hashable {
        public var archetype: Archetype
        public var accounts = 0
        public var events = 0
        public var inputTokens = 0
        public var outputTokens = 0
    }

    /// One row per archetype present, in ``Archetype`` order.
    public var rows: [Row]
    public var files: [String]
    public var seconds: Double

    public var events: Int { rows.reduce(0) { $0 + $1.events } }
    public var accounts: Int { rows.reduce(0) { $0 + $1.accounts } }

    /// A fixed-width table for people.
    public var table: String {
        func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return left ? s + fill : fill + s
        }
        func group(_ v: Int) -> String {
            var s = String(v)
            var i = s.count - 3
            while i > 0 {
                s.insert(",", at: s.index(s.startIndex, offsetBy: i))
                i -= 3
            }
            return s
        }
        var lines = [
            pad("archetype", 20, left: true) + pad("label", 8, left: true) + pad("accounts", 10) + pad("events", 13)
                + pad("input tokens", 17) + pad("output tokens", 17)
        ]
        for r in rows {
            lines.append(
                pad(r.archetype.rawValue, 20, left: true) + pad(r.archetype.isAttack ? "attack" : "benign", 8, left: true)
                    + pad(group(r.accounts), 10) + pad(group(r.events), 13) + pad(group(r.inputTokens), 17)
                    + pad(group(r.outputTokens), 17))
        }
        let input = rows.reduce(0) { $0 + $1.inputTokens }
        let output = rows.reduce(0) { $0 + $1.outputTokens }
        lines.append(
            pad("total", 28, left: true) + pad(group(accounts), 10) + pad(group(events), 13) + pad(group(input), 17)
                + pad(group(output), 17))
        return lines.joined(separator: "\n")
    }
}
