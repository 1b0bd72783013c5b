import ArgumentParser
import Foundation
import HydraguardSimulator

extension Hydraguard.Bench {
    struct Simulate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a preset and report simulated events/s.",
            discussion: """
                Runs the whole simulation, writing into a scratch directory (removed afterwards unless --keep), \
                and reports the best of --repeats runs: events/s, MB/s of JSON written and the time taken.

                Example:
                  swift build -c release --product hydraguard
                  .build/release/hydraguard bench simulate --preset medium
                """
        )

        @Option(help: "small, medium or real-case.")
        var preset: String = "small"

        @Option(help: "Seed.")
        var seed: UInt64 = 1

        @Option(help: "Scratch output directory.")
        var out: String = ".cache/bench-simulate"

        @Option(help: "Events files written in parallel.")
        var shards: Int = 1

        @Flag(help: "Write plain JSON Lines (measures generation without gzip).")
        var noCompress = false

        @Option(help: "Parallel generation workers (default: all cores).")
        var workers: Int?

        @Option(help: "Repeat the run this many times and report the best.")
        var repeats: Int = 1

        @Flag(help: "Keep the output.")
        var keep = false

        func run() async throws {
            let simulation = try Simulation(scenario: try Scenario.preset(preset), seed: seed)
            var best: SimulationSummary? = nil
            for _ in 0..<max(1, repeats) {
                let summary = try await simulation.write(
                    to: SimulationOutput(directory: out, compress: !noCompress, shards: shards, workers: workers)
                )
                if best == nil || summary.seconds < best!.seconds { best = summary }
            }
            let summary = best!
            var bytes = 0
            for file in summary.files {
                let attributes = try? FileManager.default.attributesOfItem(atPath: out + "/" + file)
                bytes += (attributes?[.size] as? Int) ?? 0
            }
            if !keep { try? FileManager.default.removeItem(atPath: out) }
            print(
                String(
                    format:
                        "simulate %@: %d events, %d accounts in %.2f s: %.0f events/s, %.1f MB written (%@, workers: %d)",
                    preset,
                    summary.events,
                    summary.accounts,
                    summary.seconds,
                    Double(summary.events) / summary.seconds,
                    Double(bytes) / 1e6,
                    noCompress ? "plain" : "gzip level 1, \(shards) shard(s)",
                    workers ?? ProcessInfo.processInfo.activeProcessorCount
                )
            )
        }
    }
}
