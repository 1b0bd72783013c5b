import HydraguardLog
import Testing

@testable import HydraguardEval

@Suite struct EvaluationReportTableTests {
    @Test func showsTheHeadlineFigures() throws {
        let report = try Evaluation.score(labels: Crafted.labels, findings: Crafted.findings)
        let table = report.table()
        #expect(table.contains("9 labelled: 4 attack, 5 benign"))
        #expect(table.contains("precision     0.7500   recall 0.7500   F1 0.7500"))
        #expect(table.contains("0 of 1 with >= 90% of accounts flagged"))
        #expect(table.contains("pairwise precision 0.5000, recall 1.0000"))
        #expect(table.contains("attack share  n/a"))
        #expect(table.contains("1 accounts in the findings are not in the labels"))
        #expect(table.contains("33.33% false positives"))
        #expect(!table.contains("quality bar"))
    }

    @Test func marksGates() throws {
        let usage = Crafted.usage.mapValues { AccountUsage(requests: $0.requests, outputTokens: $0.tokens) }
        let report = try Evaluation.score(labels: Crafted.labels, findings: Crafted.findings, usage: usage)
        let table = report.table(bar: .audit)
        #expect(table.contains("requests 70.00% of 100"))
        #expect(table.contains("quality bar: 5 of 7 gates MISSED"))
        #expect(table.contains("MISS  precision"))
        #expect(table.contains("ok    false positives of student"))
    }
}
