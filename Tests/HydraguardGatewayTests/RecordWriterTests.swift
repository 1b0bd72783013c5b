import AsyncHTTPClient
import Foundation
import HydraguardGateway
import HydraguardLog
import HydraguardStore
import NIOCore
import Testing

@Suite(.serialized) struct RecordWriterTests {
    @Test func recordsAreRotatedIntoJSONLinesFiles() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hg-jsonl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await GatewayFixture.run(configure: {
            $0.records.jsonlDirectory = dir
            $0.records.rotateRecords = 2
        }) { (f: GatewayFixture) async throws in
            for i in 0..<5 {
                _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(prompt: "prompt \(i)"))
            }
        }
        // After shutdown every file is published.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jsonl") }.sorted()
        #expect(files.count == 3)
        var prompts: [String] = []
        for file in files {
            let text = try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let event = try UsageEvent.decode(line: String(line))
                #expect(event.accountID == "acct_card")
                prompts.append(event.prompt ?? "")
            }
        }
        #expect(prompts == (0..<5).map { "prompt \($0)" })
    }

    @Test func aClientLeavingMidStreamIsReconciled() async throws {
        try await GatewayFixture.run(stub: UpstreamStubConfig(eventDelayMs: 60)) { (f: GatewayFixture) async throws in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(f.port)/v1/messages")
            request.method = .POST
            request.headers.add(name: "x-api-key", value: f.secrets["card"]!)
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(GatewayFixture.anthropicBody(maxTokens: 40, stream: true, prompt: "a long answer please"))
            do {
                let response = try await f.http.execute(request, timeout: .seconds(10))
                var seen = 0
                for try await chunk in response.body {
                    seen += chunk.readableBytes
                    if String(buffer: chunk).contains("content_block_delta") { break }  // leave mid-stream
                }
                #expect(seen > 0)
            }
            // The gateway notices at its next write, settles and records what was streamed.
            var record: UsageEvent?
            for _ in 0..<100 where record == nil {
                try await Task.sleep(for: .milliseconds(50))
                record = try f.store.usage(limit: 1).first
            }
            let r = try #require(record)
            #expect(r.status == 200)
            #expect(r.stream == true)
            #expect(r.inputTokens == 4)
            #expect(r.outputTokens >= 1)
            #expect(r.outputTokens < 8)  // the stub writes at least 8 words; the client left after one
            #expect(f.gateway.limiter.inFlight(scope: "account:acct_card") == 0)
            // The input bucket was charged the reported count, not the estimate.
            #expect(f.gateway.limiter.status(scope: "account:acct_card")["input_tokens_per_minute"]?.remaining == 1_000_000 - 4)
        }
    }
}
