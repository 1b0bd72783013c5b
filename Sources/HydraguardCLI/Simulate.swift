import ArgumentParser
import Foundation
import HydraguardSimulator

extension Hydraguard {
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write realistic labelled traffic: events, accounts, labels and IP intelligence.",
            discussion: """
                Generates the API traffic of an honest population (chat users, coding agents, enterprise batch \
                jobs, a university class, VPN users, researchers running benchmarks, startups, an honest reseller) \
                beside distillation attacks (hydra campaigns of thousands of accounts, a stealthy low-and-slow \
                campaign, a reseller used as a conduit, a naive extractor, accounts in restricted countries), in \
                the usage-log format. The same seed always gives the same bytes.

                Files written to --out:
                  events.jsonl.gz    every request, in arrival order (events-NNN.jsonl.gz with --shards)
                  accounts.jsonl     one line per account, shuffled
                  labels.jsonl       ground truth for `hydraguard eval` (the audit never reads it)
                  ip-ranges.csv      the simulated address space: cidr,kind,provider
                  scenario.yaml      the resolved scenario: edit it and pass it back with --scenario

                Presets: small (about 300k events, 14 days), medium (about 3M events, 28 days, two hydra \
                campaigns and a stealth one), real-case (25,000 hydra accounts, 28.8M requests, 42 days).

                Examples:
                  hydraguard simulate --preset small --out out/small
                  hydraguard simulate --preset medium --seed 7 --shards 2 --out out/medium
                  hydraguard simulate --preset small --dump-scenario > my.yaml   # then edit
                  hydraguard simulate --scenario my.yaml --out out/mine
                """)

        @Option(help: "A built-in scenario: small, medium or real-case.")
        var preset: String = "small"

        @Option(help: "A YAML scenario file (overrides --preset).")
        var scenario: String?

        @Option(help: "Seed for every random choice (default: the scenario's).")
        var seed: UInt64?

        @Option(help: "Output directory.")
        var out: String = "out/sim"

        @Flag(help: "Write plain events.jsonl instead of gzip.")
        var noCompress = false

        @Option(help: "Split the events over this many files, written in parallel.")
        var shards: Int = 1

        @Option(help: "gzip level 1-9 (1 is fastest).")
        var compressionLevel: Int32 = 1

        @Option(help: "Parallel generation workers (default: all cores).")
        var workers: Int?

        @Flag(help: "Print the resolved scenario as YAML and exit.")
        var dumpScenario = false

        @Flag(help: "No progress on standard error.")
        var quiet = false

        func validate() throws {
            guard (1...256).contains(shards) else { throw ValidationError("--shards must be 1...256") }
            guard (1...9).contains(compressionLevel) else { throw ValidationError("--compression-level must be 1...9") }
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        }

        func run() async throws {
            let resolved = try loadScenario()
            if dumpScenario {
                var shown = resolved
                if let seed { shown.seed = seed }
                print(shown.yaml(), terminator: "")
                return
            }
            let simulation = try Simulation(scenario: resolved, seed: seed)
            let output = SimulationOutput(
                directory: out, compress: !noCompress, shards: shards, compressionLevel: compressionLevel,
                workers: workers)
            let days = simulation.days
            let quiet = self.quiet
            let summary = try await simulation.write(to: output) { day, events in
                guard !quiet else { return }
                FileHandle.standardError.write(Data("\rsimulate: day \(day + 1)/\(days), \(events) events".utf8))
            }
            if !quiet { FileHandle.standardError.write(Data("\n".utf8)) }
            print("scenario \(resolved.name), seed \(simulation.seed), \(days) days from \(resolved.start)")
            print(summary.table)
            print(
                String(
                    format: "wrote %@ in %.1f s (%.0f events/s)", summary.files.map { out + "/" + $0 }.joined(separator: ", "),
                    summary.seconds, Double(summary.events) / max(summary.seconds, 1e-9)))
        }

        func loadScenario() throws -> Scenario {
            guard let path = scenario else { return try Scenario.preset(preset) }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError("\(path): cannot read: \(error.localizedDescription)")
            }
            return try Scenario.load(yaml: text, file: path)
        }
    }
}
