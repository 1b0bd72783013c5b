import Foundation
import HydraguardLog
import Testing

@testable import HydraguardDetection

@Suite("Audit over files")
struct AuditFilesTests {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "hydraguard-audit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("the audit over written files finds what the in-memory audit finds, and its findings validate")
    func filesRoundTrip() throws {
        var t = Traffic()
        for a in 0..<12 {
            var shape = Traffic.Shape()
            shape.address = { d, i in "198.51.\(d).\(i + a)" }
            shape.key = { "k\(a)-\($0 / 2)" }
            shape.thinking = true
            shape.maxTokens = 32_000
            shape.outputTokens = 5000
            shape.prompt = { d, i in "Solve step by step, showing your reasoning: implement a python function number \(d * 31 + i) that sorts a list." }
            t.add("acct\(a)", tier: .free, payment: "card-\(a / 3)", shape: shape)
        }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let events = try JSONLinesWriter<UsageEvent>(path: dir + "/events.jsonl.gz")
        for e in t.events.sorted(by: { $0.ts < $1.ts }) { try events.write(e) }
        try events.finish()
        let accounts = try JSONLinesWriter<AccountRecord>(path: dir + "/accounts.jsonl")
        for a in t.accounts { try accounts.write(a) }
        try accounts.finish()

        let fromFiles = try Audit().run(events: [dir + "/events.jsonl.gz"], accounts: [dir + "/accounts.jsonl"])
        let inMemory = t.audit()
        #expect(fromFiles.eventStatistics.records == t.events.count)
        #expect(fromFiles.judged.map(\.verdict) == inMemory.judged.map(\.verdict))
        let findings = fromFiles.findings()
        try findings.write(to: dir + "/findings.json")
        let reread = try Findings.read(path: dir + "/findings.json")
        #expect(reread.accounts.count == 12)
        #expect(reread.campaigns.count == 1)
        #expect(reread.accounts.allSatisfy { $0.campaign == "c1" && !$0.reasons.isEmpty })
        let html = HTMLReport(result: fromFiles, findings: findings).render()
        #expect(html.contains("c1: 12 accounts"))
        #expect(!html.contains("http://") && !html.contains("https://"))
    }

    @Test("a broken events line stops the audit with the file, line and field")
    func badInput() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = #"{"ts":"2026-03-02T10:00:00Z","request_id":"r1","account_id":"a","key_id":"k","ip":"192.0.2.1","model":"m","status":200,"input_tokens":1,"output_tokens":2}"#
        let bad = #"{"ts":"2026-03-02T10:00:01Z","request_id":"r2","account_id":"a","key_id":"k","ip":"192.0.2.1","model":"m","status":200,"input_tokens":"many","output_tokens":2}"#
        try (good + "\n" + bad + "\n").write(toFile: dir + "/events.jsonl", atomically: true, encoding: .utf8)
        try #"{"account_id":"a","created_at":"2026-01-01T00:00:00Z","tier":"free"}"#
            .write(toFile: dir + "/accounts.jsonl", atomically: true, encoding: .utf8)
        #expect {
            try Audit().run(events: [dir + "/events.jsonl"], accounts: [dir + "/accounts.jsonl"])
        } throws: { error in
            guard let error = error as? LogFormatError else { return false }
            return error.line == 2 && error.field == "input_tokens" && error.file.hasSuffix("events.jsonl")
        }
        let lenient = try Audit(lenient: true).run(events: [dir + "/events.jsonl"], accounts: [dir + "/accounts.jsonl"])
        #expect(lenient.eventStatistics.records == 1)
        #expect(lenient.eventStatistics.skipped == 1)
    }
}
