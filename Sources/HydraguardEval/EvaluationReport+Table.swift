import Foundation

extension EvaluationReport {
    /// The report as text for a person: headline figures, then archetypes, campaigns and usage shares;
    /// with a bar, each gate marked `ok` or `MISS`.
    ///
    /// ```
    /// accounts      9 labelled: 4 attack, 5 benign
    /// flagged       4 (tp 3, fp 1, fn 1, tn 4)
    /// precision     0.7500   recall 0.7500   F1 0.7500
    /// ```
    public func table(bar: QualityBar? = nil) -> String {
        var out = ""
        func line(_ s: String = "") { out += s + "\n" }
        func pct(_ x: Double?) -> String { x.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }
        func num(_ x: Double?) -> String { x.map { String(format: "%.4f", $0) } ?? "n/a" }
        func pad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
        }
        func lpad(_ s: String, _ width: Int) -> String {
            s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
        }

        line("accounts      \(accounts) labelled: \(attackAccounts) attack, \(benignAccounts) benign")
        let flagged = truePositives + falsePositives
        line(
            "flagged       \(flagged) (tp \(truePositives), fp \(falsePositives), fn \(falseNegatives), tn \(trueNegatives))"
        )
        let order = ["allow", "watch", "throttle", "challenge", "block"]
        line("verdicts      " + order.map { "\($0) \(verdicts[$0] ?? 0)" }.joined(separator: ", "))
        line("precision     \(num(precision))   recall \(num(recall))   F1 \(num(f1))")
        line("campaigns     \(campaignsCaught) of \(campaigns.count) with >= 90% of accounts flagged")
        line(
            "purity        pairwise precision \(num(purity.precision)), recall \(num(purity.recall)) "
                + "(\(purity.sharedPairs) shared of \(purity.foundPairs) found and \(purity.truePairs) true pairs)"
        )
        if let usage {
            line(
                "attack share  requests \(pct(usage.attackRequestShare)) of \(usage.attackRequests), "
                    + "output tokens \(pct(usage.attackOutputTokenShare)) of \(usage.attackOutputTokens) made by flagged accounts"
            )
            line(
                "honest share  requests \(pct(usage.benignRequestShare)) of \(usage.benignRequests), "
                    + "output tokens \(pct(usage.benignOutputTokenShare)) of \(usage.benignOutputTokens) made by flagged accounts"
            )
            if usage.unlabelledRequests > 0 {
                line("              \(usage.unlabelledRequests) requests from unlabelled accounts ignored")
            }
        } else {
            line("attack share  n/a (pass --events to measure requests and output tokens)")
        }
        if unknownAccounts > 0 {
            line(
                "unknown       \(unknownAccounts) accounts in the findings are not in the labels (ignored), e.g. "
                    + unknownAccountSamples.prefix(3).joined(separator: ", ")
            )
        }

        line()
        let nameWidth = max(10, (archetypes.map(\.archetype.count) + campaigns.map(\.campaign.count)).max() ?? 0) + 2
        line(pad("archetype", nameWidth) + pad("label", 8) + lpad("accounts", 9) + lpad("flagged", 9) + "  rate")
        for a in archetypes {
            let what = a.label == "benign" ? "false positives" : "recall"
            line(
                pad(a.archetype, nameWidth) + pad(a.label, 8) + lpad("\(a.accounts)", 9) + lpad("\(a.flagged)", 9)
                    + "  \(pct(a.rate)) \(what)"
            )
        }
        if !campaigns.isEmpty {
            line()
            line(pad("campaign", nameWidth) + lpad("size", 8) + lpad("flagged", 9) + lpad("recall", 10) + "  found as")
            for c in campaigns {
                line(
                    pad(c.campaign, nameWidth) + lpad("\(c.size)", 8) + lpad("\(c.flagged)", 9)
                        + lpad(pct(c.recall), 10)
                        + "  " + (c.foundAs.isEmpty ? "-" : c.foundAs.joined(separator: ", "))
                )
            }
        }
        if let bar, !bar.isEmpty {
            let results = check(bar)
            line()
            let misses = results.filter { !$0.passed }.count
            line(
                misses == 0
                    ? "quality bar: all \(results.count) gates passed"
                    : "quality bar: \(misses) of \(results.count) gates MISSED"
            )
            let width = (results.map(\.name.count).max() ?? 0) + 2
            for r in results {
                line(
                    "  " + (r.passed ? "ok    " : "MISS  ") + pad(r.name, width) + pad(num(r.actual), 8)
                        + " \(r.comparison) "
                        + num(r.target)
                )
            }
        }
        return out
    }
}
