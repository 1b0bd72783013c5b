import ArgumentParser
import Foundation
import HydraguardLog

extension Hydraguard {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the hot paths: parsing, simulation, detection.",
            discussion: """
                Run it from a release build, on an otherwise idle machine:
                  swift build -c release && .build/release/hydraguard bench parse --events out/medium/events.jsonl
                """,
            subcommands: [Parse.self, AuditStages.self, Intel.self]
        )
    }
}

extension Hydraguard.Bench {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse events files and report MB/s and events/s.")

        @Option(name: .long, parsing: .upToNextOption, help: "Events files (JSON Lines, .gz or -).")
        var events: [String]

        @Option(help: "Parallel parse workers (default: all cores).")
        var workers: Int?

        @Option(help: "Repeat the read this many times and report the best.")
        var repeats: Int = 3

        func run() async throws {
            var best = Double.infinity
            var last = ReadStatistics()
            for _ in 0..<max(1, repeats) {
                let start = ContinuousClock.now
                var checksum = 0
                last = try JSONLinesReader<UsageEvent>(paths: events, workers: workers).forEachBatch { batch in
                    for event in batch { checksum &+= event.outputTokens }
                }
                let elapsed = ContinuousClock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                best = min(best, seconds)
                _ = checksum
            }
            let mb = Double(last.bytes) / 1_000_000
            print(
                String(
                    format: "parse: %d events, %.1f MB of text in %.3f s: %.0f MB/s, %.0f events/s (workers: %d)",
                    last.records, mb, best, mb / best, Double(last.records) / best,
                    workers ?? ProcessInfo.processInfo.activeProcessorCount))
        }
    }
}
