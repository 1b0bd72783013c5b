import Foundation
import HydraguardLog
import Testing

@testable import HydraguardSimulator

@Suite struct SimulationWriteTests {
    func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "hydraguard-sim-\(UUID().uuidString)"
    }

    func read<R: JSONLineRecord>(_ type: R.Type, _ paths: [String]) throws -> [R] {
        var records: [R] = []
        _ = try JSONLinesReader<R>(paths: paths, workers: 1).forEachBatch { records.append(contentsOf: $0) }
        return records
    }

    @Test func writesEveryFileAndTheyReadBack() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try Simulation(scenario: TestScenarios.light(days: 2), seed: 9)
        let summary = try await sim.write(to: SimulationOutput(directory: dir, workers: 2))
        for file in ["events.jsonl.gz", "accounts.jsonl", "labels.jsonl", "ip-ranges.csv", "scenario.yaml"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "\(file)")
        }
        let events = try read(UsageEvent.self, [dir + "/events.jsonl.gz"])
        #expect(events.count == summary.events)
        #expect(events == (0..<2).flatMap { sim.events(day: $0) })
        let accounts = try read(AccountRecord.self, [dir + "/accounts.jsonl"])
        #expect(accounts == sim.accountRecords())
        let labels = try read(LabelRecord.self, [dir + "/labels.jsonl"])
        #expect(labels == sim.labelRecords())
        let hydraEvents = summary.rows.first { $0.archetype == .hydra }?.events ?? 0
        #expect(hydraEvents > 0 && hydraEvents < summary.events)
        // The resolved scenario reproduces the run.
        let yaml = try String(contentsOfFile: dir + "/scenario.yaml", encoding: .utf8)
        let again = try Scenario.load(yaml: yaml, file: "scenario.yaml")
        #expect(again.seed == 9)
        let rerun = try Simulation(scenario: again)
        #expect(rerun.accountRecords() == accounts)
    }

    @Test func shardsSplitAccountsAndKeepArrivalOrder() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try Simulation(scenario: TestScenarios.light(days: 2), seed: 9)
        let output = SimulationOutput(directory: dir, compress: false, shards: 3, workers: 3)
        #expect(output.eventFiles == ["events-000.jsonl", "events-001.jsonl", "events-002.jsonl"])
        let summary = try await sim.write(to: output)
        var owner: [String: Int] = [:]
        var total = 0
        for (i, file) in output.eventFiles.enumerated() {
            let events = try read(UsageEvent.self, [dir + "/" + file])
            total += events.count
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.ts <= $1.ts })
            for e in events { #expect(owner.updateValue(i, forKey: e.accountID) ?? i == i) }
        }
        #expect(total == summary.events)
        #expect(Set(owner.values).count == 3)
    }

    @Test func workerCountDoesNotChangeTheBytes() async throws {
        let one = temporaryDirectory()
        let two = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: one)
            try? FileManager.default.removeItem(atPath: two)
        }
        let sim = try Simulation(scenario: TestScenarios.light(days: 2), seed: 2)
        _ = try await sim.write(to: SimulationOutput(directory: one, compress: false, workers: 1))
        _ = try await sim.write(to: SimulationOutput(directory: two, compress: false, workers: 3))
        let a = try Data(contentsOf: URL(fileURLWithPath: one + "/events.jsonl"))
        let b = try Data(contentsOf: URL(fileURLWithPath: two + "/events.jsonl"))
        #expect(a.count > 0)
        #expect(a == b)
    }
}
