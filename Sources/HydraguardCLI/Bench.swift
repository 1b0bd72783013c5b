import ArgumentParser
import Foundation
import HydraguardLog

extension Hydraguard {
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the hot paths: parsing, simulation, detection.",
            discussion: """
                Run it from a release build, on an otherwise idle machine:
                  swift build -c release --product hydraguard
                  .build/release/hydraguard bench parse --synthetic 500000
                  .build/release/hydraguard bench parse --events out/medium/events.jsonl
                """,
            subcommands: [Parse.self, AuditStages.self, Intel.self, Simulate.self]
        )
    }
}

extension Hydraguard.Bench {
    struct Parse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse events files and report MB/s and events/s, on one core and on all.",
            discussion: """
                With --events, reads the files you name (JSON Lines, .gz or -). With --synthetic N, first writes N \
                realistic events (prompts of 200 to 3,000 characters with code, quotes, new lines and non-ASCII \
                text, a system prompt on a third of the lines) to a temporary file, timing the writer, then \
                parses that file. --gzip also writes and parses a gzip copy (inflate runs on one thread).

                Each read runs --repeats times and the best time counts; without --workers it runs with one \
                worker and with one per core. MB are 10^6 bytes of (decompressed) text; the file is read from \
                the page cache after the first pass. Besides wall-clock MB/s it reports the CPU time the \
                process used (all threads) and MB per CPU-second: the per-core figure, and the one to trust \
                when other work shares the machine.

                Examples:
                  hydraguard bench parse --synthetic 500000 --gzip
                  hydraguard bench parse --events events.jsonl.gz --workers 2
                """)

        @Option(name: .long, parsing: .upToNextOption, help: "Events files (JSON Lines, .gz or -).")
        var events: [String] = []

        @Option(help: "Generate this many realistic events into a temporary file and parse them.")
        var synthetic: Int?

        @Flag(help: "With --synthetic: also write and parse a gzip copy.")
        var gzip = false

        @Option(help: "With --synthetic: where to write the generated file (kept); default a temporary file, removed after.")
        var out: String?

        @Option(help: "With --synthetic --gzip: the gzip level the writer uses (1 fastest ... 9 smallest).")
        var compressionLevel: Int32 = 1

        @Option(help: "Parallel parse workers (default: 1, then all cores).")
        var workers: Int?

        @Option(help: "Repeat each read this many times and report the best.")
        var repeats: Int = 3

        func validate() throws {
            guard !events.isEmpty || synthetic != nil else {
                throw ValidationError("Name events files with --events, or ask for --synthetic N.")
            }
            if let synthetic, synthetic < 1 { throw ValidationError("--synthetic must be at least 1.") }
            if let workers, workers < 1 { throw ValidationError("--workers must be at least 1.") }
        }

        func run() async throws {
            let cores = ProcessInfo.processInfo.activeProcessorCount
            let workerCounts = workers.map { [$0] } ?? (cores > 1 ? [1, cores] : [1])
            var inputs: [[String]] = events.isEmpty ? [] : [events]
            var generated: [String] = []
            defer { if out == nil { for path in generated { unlink(path) } } }
            if let synthetic {
                let plain = out ?? NSTemporaryDirectory() + "hydraguard-bench-\(getpid()).jsonl"
                generated.append(plain)
                try write(synthetic, to: plain)
                inputs.append([plain])
                if gzip {
                    generated.append(plain + ".gz")
                    try write(synthetic, to: plain + ".gz")
                    inputs.append([plain + ".gz"])
                }
            }
            for paths in inputs {
                for count in workerCounts {
                    try measure(paths, workers: count)
                }
            }
            print("max resident memory: \(Self.maxResidentMB()) MB")
        }

        /// Writes `count` synthetic events, timing the generation and the writer apart.
        func write(_ count: Int, to path: String) throws {
            var generator = SyntheticEvents()
            let batch = 10_000
            var generating = Duration.zero
            var writing = Duration.zero
            var writingCPU = 0.0
            let writer = try JSONLinesWriter<UsageEvent>(path: path, compressionLevel: compressionLevel)
            var done = 0
            while done < count {
                let n = min(batch, count - done)
                var start = ContinuousClock.now
                var events: [UsageEvent] = []
                events.reserveCapacity(n)
                for k in 0..<n { events.append(generator.event(done + k)) }
                generating += ContinuousClock.now - start
                start = ContinuousClock.now
                let cpu = Self.cpuSeconds()
                for event in events { try writer.write(event) }
                writingCPU += Self.cpuSeconds() - cpu
                writing += ContinuousClock.now - start
                done += n
            }
            let start = ContinuousClock.now
            let cpu = Self.cpuSeconds()
            try writer.finish()
            writingCPU += Self.cpuSeconds() - cpu
            writing += ContinuousClock.now - start
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let seconds = Self.seconds(writing)
            print(
                String(
                    format: "write %@: %d events, %.1f MB on disk in %.3f s: %.0f events/s (%.2f CPU-s, %.0f events "
                        + "per CPU-second%@; generating them took %.1f s)",
                    (path as NSString).lastPathComponent, count, Double(size) / 1e6, seconds,
                    Double(count) / seconds, writingCPU, Double(count) / writingCPU,
                    path.hasSuffix(".gz") ? ", gzip level \(compressionLevel)" : "", Self.seconds(generating)))
        }

        func measure(_ paths: [String], workers: Int) throws {
            var best = Double.infinity
            var bestCPU = Double.infinity
            var last = ReadStatistics()
            for _ in 0..<max(1, repeats) {
                let cpuStart = Self.cpuSeconds()
                let start = ContinuousClock.now
                var checksum = 0
                last = try JSONLinesReader<UsageEvent>(paths: paths, workers: workers).forEachBatch { batch in
                    for event in batch { checksum &+= event.outputTokens &+ (event.prompt?.utf8.count ?? 0) }
                }
                best = min(best, Self.seconds(ContinuousClock.now - start))
                bestCPU = min(bestCPU, Self.cpuSeconds() - cpuStart)
                if checksum == 42 { print("") }  // keeps the work observable
            }
            let mb = Double(last.bytes) / 1_000_000
            let name = paths.count == 1 ? (paths[0] as NSString).lastPathComponent : "\(paths.count) files"
            print(
                String(
                    format: "parse %@: %d events, %.1f MB of text in %.3f s: %.0f MB/s, %.0f events/s (workers: %d; "
                        + "%.2f CPU-s, %.0f MB per CPU-second)",
                    name, last.records, mb, best, mb / best, Double(last.records) / best, workers, bestCPU,
                    mb / bestCPU))
        }

        static func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }

        static func usage() -> rusage {
            var usage = rusage()
            #if os(Linux)
            getrusage(RUSAGE_SELF.rawValue, &usage)
            #else
            getrusage(RUSAGE_SELF, &usage)
            #endif
            return usage
        }

        /// Kilobytes on Linux.
        static func maxResidentMB() -> Int { usage().ru_maxrss / 1024 }

        /// User and system CPU time this process has used, all threads together.
        static func cpuSeconds() -> Double {
            let u = usage()
            return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
        }
    }
}
