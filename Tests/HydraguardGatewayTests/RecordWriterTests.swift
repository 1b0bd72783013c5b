import AsyncHTTPClient
import Foundation
import GRDB
import HydraguardGateway
import HydraguardLog
import HydraguardStore
import NIOCore
import Logging
import Testing

@Suite(.serialized) struct RecordWriterTests {
    /// A new empty folder for a store on disk and its journal.
    static func folder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hg-rw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The prompts of the records in the JSON Lines files of `dir`, file by file, in order.
    static func jsonlPrompts(_ dir: String) throws -> [[String]] {
        // events-<start>-<sequence>.jsonl, in the order of their sequence numbers
        func sequence(_ name: String) -> Int { Int(name.split(separator: "-").last!.dropLast(".jsonl".count)) ?? 0 }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".jsonl") }
            .sorted { sequence($0) < sequence($1) }
        return try files.map { file in
            try String(contentsOfFile: "\(dir)/\(file)", encoding: .utf8).split(separator: "\n").map { line in
                let event = try UsageEvent.decode(line: String(line))
                #expect(event.accountID == "acct_card")
                return event.prompt ?? ""
            }
        }
    }

    /// Records reach the files by either path: committed straight to a store in memory, or journalled and
    /// then committed to one on disk; either way they are rotated every two records.
    @Test(arguments: [false, true]) func recordsAreRotatedIntoJSONLinesFiles(journalled: Bool) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hg-jsonl-\(UUID().uuidString)").path
        let folder = try Self.folder()
        defer {
            try? FileManager.default.removeItem(atPath: dir)
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await GatewayFixture.run(storePath: journalled ? "\(folder)/hg.sqlite" : nil, configure: {
            $0.records.jsonlDirectory = dir
            $0.records.rotateRecords = 2
        }) { (f: GatewayFixture) async throws in
            for i in 0..<5 {
                _ = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(prompt: "prompt \(i)"))
            }
        }
        // After shutdown every file is published.
        #expect(try Self.jsonlPrompts(dir) == [["prompt 0", "prompt 1"], ["prompt 2", "prompt 3"], ["prompt 4"]])
    }

    @Test func journalledRecordsReachTheStoreOnceAndTheJournalEndsEmpty() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storePath = "\(folder)/hg.sqlite"
        try await GatewayFixture.run(storePath: storePath, configure: { $0.records.commitIntervalMs = 10 }) {
            (f: GatewayFixture) async throws in
            // Sequential and parallel requests, a refusal among them.
            for i in 0..<5 {
                let r = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(prompt: "one \(i)"))
                #expect(r.status == .ok)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<40 {
                    group.addTask { _ = try await f.chat(f.secrets["card"], GatewayFixture.openAIBody(extra: #","user":"u\#(i)""#)) }
                }
                try await group.waitForAll()
            }
            let refused = try await f.messages("hg_key_nothere_abc", GatewayFixture.anthropicBody())
            #expect(refused.status == .unauthorized)
            // Answered before their commit; in the store within a few commit intervals.
            var records: [UsageEvent] = []
            for _ in 0..<200 {
                records = try f.records()
                if records.count >= 46 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(records.count == 46)
            #expect(Set(records.map(\.requestID)).count == 46)
            #expect(records.filter { $0.status == 401 }.count == 1)
            #expect(records.filter { $0.prompt?.hasPrefix("one ") == true }.count == 5)
        }
        // After shutdown nothing is left to replay: the store holds every record once.
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(storePath)-records").filter { $0 != "lock" }
        #expect(files.isEmpty)
        let store = try Store(path: storePath, keyHashSecret: Data("fixture".utf8))
        #expect(try store.usageCount() == 46)
        let journal = try RecordJournal.open(directory: "\(storePath)-records", store: store, logger: Logger(label: "t"))
        #expect(journal.recovery.records == 0)
        journal.close()
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

    @Test func aFailedJournalCommitIsRetriedWithoutNewTraffic() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storePath = "\(folder)/hg.sqlite"
        let dir = "\(folder)/jsonl"
        try await GatewayFixture.run(storePath: storePath, configure: {
            $0.records.commitIntervalMs = 10
            $0.records.jsonlDirectory = dir
        }) { (f: GatewayFixture) async throws in
            // The store refuses records for a while, as a full disk would.
            // With a busy timeout: the gateway's writer commits every 10 ms, and retries while refused.
            var sideConfiguration = Configuration()
            sideConfiguration.busyMode = .timeout(5)
            let side = try DatabaseQueue(path: storePath, configuration: sideConfiguration)
            try await side.write { db in
                try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON usage_events BEGIN SELECT RAISE(ABORT, 'refused'); END")
            }
            for i in 0..<3 {
                let r = try await f.messages(f.secrets["card"], GatewayFixture.anthropicBody(prompt: "held \(i)"))
                #expect(r.status == .ok)  // journalled, so answered
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(try f.records().isEmpty)
            // The store takes records again; no request arrives, and the held ones still get in, once.
            try await side.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
            var records: [UsageEvent] = []
            for _ in 0..<200 where records.count < 3 {
                try await Task.sleep(for: .milliseconds(10))
                records = try f.records()
            }
            #expect(records.compactMap(\.prompt).sorted() == ["held 0", "held 1", "held 2"])
            try await Task.sleep(for: .milliseconds(50))
            #expect(try f.records().count == 3)
        }
        // The JSON Lines copy follows the store: each held record once, once it is committed.
        #expect(try Self.jsonlPrompts(dir).flatMap { $0 } == ["held 0", "held 1", "held 2"])
    }
}
