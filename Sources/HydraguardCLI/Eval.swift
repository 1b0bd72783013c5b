import ArgumentParser
import Foundation
import HydraguardEval
import HydraguardLog

extension Hydraguard {
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score findings against the simulator's labels.",
            discussion: """
                Compares what `hydraguard audit` found with the ground truth that `hydraguard simulate` \
                wrote. An account counts as flagged when its verdict is throttle, challenge or block; \
                accounts missing from the findings are allow.

                It reports account-level precision, recall and F1; the false-positive rate of each honest \
                archetype and the recall of each attack archetype; each campaign's size, flagged accounts \
                and recall, and how many campaigns had at least 90% of their accounts flagged; campaign \
                purity (pairwise precision and recall of the findings' campaign ids against the true \
                campaigns); and, with --events, the share of attack requests and output tokens made by \
                flagged accounts.

                Exit status: 0 when scored (and every gate passed), 1 on bad input, 2 when a gate missed.

                Examples:
                  hydraguard eval --labels out/small/labels.jsonl --findings out/small/findings.json
                  hydraguard eval --labels out/small/labels.jsonl --findings out/small/findings.json \\
                      --events out/small/events.jsonl.gz --gate
                  hydraguard eval --labels L --findings F --json --require-precision 0.995 --require-recall 0.9
                """
        )

        @Option(help: "The labels file written by `hydraguard simulate` (JSON Lines).")
        var labels: String

        @Option(help: "The findings file written by `hydraguard audit` (JSON).")
        var findings: String

        @Option(
            name: .long,
            parsing: .upToNextOption,
            help: "Events files (JSON Lines, .gz or -), to measure shares of requests and output tokens."
        )
        var events: [String] = []

        @Flag(help: "Print the report as JSON instead of a table.")
        var json = false

        @Flag(
            help: """
                Check the audit's quality bar: precision >= 0.99, recall >= 0.95, no honest archetype above \
                0.5% false positives, every campaign >= 90% flagged, campaign purity >= 0.9 (exit 2 on a miss).
                """
        )
        var gate = false

        @Option(help: "Minimum account-level precision (exit 2 below it).")
        var requirePrecision: Double?

        @Option(help: "Minimum account-level recall (exit 2 below it).")
        var requireRecall: Double?

        @Option(help: "Maximum false-positive rate of any honest archetype, e.g. 0.005 (exit 2 above it).")
        var maxArchetypeFalsePositives: Double?

        @Option(help: "Minimum recall of every campaign (exit 2 below it).")
        var requireCampaignRecall: Double?

        @Option(help: "Minimum pairwise campaign purity, precision and recall (exit 2 below it).")
        var requirePurity: Double?

        func validate() throws {
            for (name, value) in [
                ("--require-precision", requirePrecision), ("--require-recall", requireRecall),
                ("--max-archetype-false-positives", maxArchetypeFalsePositives),
                ("--require-campaign-recall", requireCampaignRecall), ("--require-purity", requirePurity),
            ] {
                if let value, !(0...1).contains(value) {
                    throw ValidationError("\(name) must be in [0, 1], got \(value)")
                }
            }
        }

        var bar: QualityBar {
            var bar = gate ? QualityBar.audit : QualityBar()
            if let requirePrecision { bar.precision = requirePrecision }
            if let requireRecall { bar.recall = requireRecall }
            if let maxArchetypeFalsePositives { bar.archetypeFalsePositiveRate = maxArchetypeFalsePositives }
            if let requireCampaignRecall { bar.campaignRecall = requireCampaignRecall }
            if let requirePurity { bar.purity = requirePurity }
            return bar
        }

        func run() async throws {
            let report: EvaluationReport
            do {
                let labelRecords = try Evaluation.readLabels(path: labels)
                let found = try Findings.read(path: findings)
                let usage = events.isEmpty ? nil : try Evaluation.usage(events: events)
                report = try Evaluation.score(labels: labelRecords, findings: found, usage: usage)
            } catch {
                FileHandle.standardError.write(Data("hydraguard eval: \(error)\n".utf8))
                throw ExitCode(1)
            }
            let bar = self.bar
            let gates = report.check(bar)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.keyEncodingStrategy = .convertToSnakeCase
                let data = try encoder.encode(EvalOutput(report: report, gates: bar.isEmpty ? nil : gates))
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            } else {
                print(report.table(bar: bar), terminator: "")
            }
            if gates.contains(where: { !$0.passed }) { throw ExitCode(2) }
        }
    }
}

/// The report's fields, plus the gates when any were asked for.
private struct EvalOutput: Encodable {
    var report: EvaluationReport
    var gates: [GateResult]?

    enum CodingKeys: String, CodingKey { case gates, passed }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        guard let gates else { return }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(gates, forKey: .gates)
        try container.encode(gates.allSatisfy(\.passed), forKey: .passed)
    }
}
