import HydraguardLog
import Testing

@testable import HydraguardEval

@Suite struct QualityBarTests {
    func report() throws -> EvaluationReport {
        try Evaluation.score(labels: Crafted.labels, findings: Crafted.findings)
    }

    @Test func auditBarOnTheCraftedCase() throws {
        let results = try report().check(.audit)
        let byName = Dictionary(uniqueKeysWithValues: results.map { ($0.name, $0) })
        #expect(byName["precision"]?.passed == false && byName["precision"]?.actual == 0.75)
        #expect(byName["recall"]?.passed == false)
        #expect(byName["false positives of coding_agent"]?.passed == false)
        #expect(byName["false positives of student"]?.passed == true)
        #expect(byName["recall of campaign c1"]?.passed == false)
        #expect(byName["campaign purity (pairwise precision)"]?.passed == false)
        #expect(byName["campaign purity (pairwise recall)"]?.passed == true)
        // No gate for attack archetypes' false positives: one per benign archetype and one per campaign.
        #expect(results.count == 2 + 2 + 1 + 2)
    }

    @Test func looserBarPasses() throws {
        let bar = QualityBar(
            precision: 0.75,
            recall: 0.7,
            archetypeFalsePositiveRate: 0.34,
            campaignRecall: 0.6,
            purity: 0.5
        )
        #expect(try report().check(bar).allSatisfy { $0.passed })
        #expect(try report().check(QualityBar()).isEmpty)
        #expect(QualityBar().isEmpty && !QualityBar.audit.isEmpty)
    }

    @Test func undefinedFiguresPass() throws {
        let empty = Findings(generatedAt: "x", window: .init(from: "a", to: "b"), accounts: [], campaigns: [])
        let labels = [LabelRecord(accountID: "b", label: .benign, archetype: "student")]
        let results = try Evaluation.score(labels: labels, findings: empty).check(.audit)
        // Precision (nothing flagged), recall (no attackers), purity (no pairs) are undefined.
        #expect(results.allSatisfy { $0.passed })
        #expect(results.first { $0.name == "precision" }?.actual == nil)
    }
}
