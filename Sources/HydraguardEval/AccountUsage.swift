import HydraguardLog

/// One account's traffic, summed from events.
public struct AccountUsage: Sendable, Hashable, Codable {
    public var requests: Int
    public var outputTokens: Int

    public init(requests: Int = 0, outputTokens: Int = 0) {
        self.requests = requests
        self.outputTokens = outputTokens
    }
}

extension Evaluation {
    /// Streams events files and sums requests and output tokens per account.
    ///
    /// ```swift
    /// let usage = try Evaluation.usage(events: ["out/small/events.jsonl.gz"])
    /// usage["acct_1"]?.requests
    /// ```
    public static func usage(events paths: [String]) throws -> [String: AccountUsage] {
        var usage: [String: AccountUsage] = [:]
        try JSONLinesReader<UsageEvent>(paths: paths).forEachBatch { batch in
            for event in batch {
                usage[event.accountID, default: AccountUsage()].requests += 1
                usage[event.accountID, default: AccountUsage()].outputTokens += event.outputTokens
            }
        }
        return usage
    }
}
