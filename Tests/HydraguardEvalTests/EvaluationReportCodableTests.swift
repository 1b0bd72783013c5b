import Foundation
import HydraguardLog
import Testing

@testable import HydraguardEval

@Suite struct EvaluationReportCodableTests {
    @Test func undefinedFiguresAreExplicitNulls() throws {
        let empty = Findings(generatedAt: "x", window: .init(from: "a", to: "b"), accounts: [], campaigns: [])
        let report = try Evaluation.score(labels: Crafted.labels, findings: empty)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        #expect(object["precision"] is NSNull)
        #expect(object["usage"] is NSNull)
        #expect((object["recall"] as? Double) == 0)
        #expect((object["purity"] as? [String: Any])?["recall"] is NSNull)
        #expect(object["true_positives"] as? Int == 0)
    }

    @Test func roundTrips() throws {
        let usage = Crafted.usage.mapValues { AccountUsage(requests: $0.requests, outputTokens: $0.tokens) }
        let report = try Evaluation.score(labels: Crafted.labels, findings: Crafted.findings, usage: usage)
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(EvaluationReport.self, from: data) == report)
    }
}
