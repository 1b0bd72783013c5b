import Foundation
import HydraguardLog
import Testing

@testable import HydraguardEval

@Suite struct AccountUsageTests {
    func line(_ account: String, _ n: Int, _ tokens: Int) -> String {
        #"{"ts":"2026-04-22T10:15:0\#(n)Z","request_id":"r\#(account)\#(n)","account_id":"\#(account)","key_id":"k","ip":"192.0.2.1","model":"m","status":200,"input_tokens":5,"output_tokens":\#(tokens)}"#
    }

    @Test func sumsRequestsAndOutputTokensPerAccount() throws {
        let path = NSTemporaryDirectory() + "hydraguard-eval-events-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = [line("a", 1, 10), line("b", 2, 3), line("a", 3, 7)].joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let usage = try Evaluation.usage(events: [path])
        #expect(
            usage == [
                "a": AccountUsage(requests: 2, outputTokens: 17), "b": AccountUsage(requests: 1, outputTokens: 3),
            ]
        )
    }

    @Test func badEventsNameTheFileAndLine() throws {
        let path = NSTemporaryDirectory() + "hydraguard-eval-bad-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (line("a", 1, 10) + "\n{\"ts\": 5}\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try Evaluation.usage(events: [path])
        } throws: { error in
            (error as? LogFormatError)?.line == 2 && (error as? LogFormatError)?.file == path
        }
    }
}
